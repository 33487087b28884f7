namespace Crm.Channels.Email;

/// <summary>A message whose MIME structure exceeds the configured limits (quarantined by the poller, 413 at the webhook).</summary>
public sealed class EmailTooComplexException(string message) : UnreadableEmailException(message);
