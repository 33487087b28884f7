namespace Crm.Channels.WhatsApp;

/// <summary>Twilio's answer for a queued message.</summary>
/// <param name="MessageSid">The new message's SID (<c>SM…</c>); store it to dedupe status callbacks.</param>
/// <param name="Status">Twilio's status, e.g. <c>queued</c>.</param>
public sealed record WhatsAppSendResult(string MessageSid, string Status);
