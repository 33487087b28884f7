namespace Crm.Campaigns.Sending;

/// <summary>One SMTP reply: its code and its text (the lines of a multi-line reply joined by <c>\n</c>).</summary>
internal readonly record struct SmtpReply(int Code, string Text);

/// <summary>The server refused a command of a transaction (or the message cannot be offered to it); the connection stays usable.</summary>
internal sealed class SmtpReplyException(int code, string text, bool permanentWithoutReply = false) : Exception(text)
{
    public int Code { get; } = code;

    /// <summary>Refused here, before asking the server: nothing it said, and nothing retrying would change.</summary>
    public bool PermanentWithoutReply { get; } = permanentWithoutReply;
}

/// <summary>The server does not speak SMTP as RFC 5321 says (or is hostile): the connection is closed.</summary>
internal sealed class SmtpProtocolViolationException(string message) : Exception(message);
