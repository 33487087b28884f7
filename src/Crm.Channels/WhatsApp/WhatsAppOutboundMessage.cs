namespace Crm.Channels.WhatsApp;

/// <summary>A message to send.</summary>
/// <param name="To">The recipient, E.164 (<c>+447700900123</c>) or <c>whatsapp:+447700900123</c>.</param>
/// <param name="Body">The text.</param>
/// <param name="MediaUrls">Public URLs of media to attach.</param>
/// <param name="Account">The options name of the account to send from; the default account when null.</param>
public sealed record WhatsAppOutboundMessage(string To, string Body, IReadOnlyList<Uri>? MediaUrls = null, string? Account = null);
