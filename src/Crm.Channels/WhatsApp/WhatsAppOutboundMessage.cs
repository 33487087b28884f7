namespace Crm.Channels.WhatsApp;

/// <summary>A message to send.</summary>
/// <param name="To">The recipient, E.164 (<c>+447700900123</c>) or <c>whatsapp:+447700900123</c>.</param>
/// <param name="Body">The text (ignored by Twilio when <see cref="ContentSid"/> names a template).</param>
/// <param name="MediaUrls">Public URLs of media to attach.</param>
/// <param name="Account">The options name of the account to send from; the default account when null.</param>
public sealed record WhatsAppOutboundMessage(string To, string Body, IReadOnlyList<Uri>? MediaUrls = null, string? Account = null)
{
    /// <summary>A Twilio Content template to send instead of free text (allowed outside the 24-hour window).</summary>
    public string? ContentSid { get; init; }

    /// <summary>The template's variables as a JSON object.</summary>
    public string? ContentVariables { get; init; }

    /// <summary>Where Twilio reports the message's delivery status (sent, delivered, read, failed).</summary>
    public Uri? StatusCallback { get; init; }
}
