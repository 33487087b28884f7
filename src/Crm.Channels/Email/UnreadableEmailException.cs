namespace Crm.Channels.Email;

/// <summary>Thrown when bytes are not a usable email (no sender, unparseable MIME): such mail is quarantined.</summary>
public class UnreadableEmailException(string message, Exception? innerException = null) : Exception(message, innerException);
