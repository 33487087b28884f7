namespace Crm.Channels.WhatsApp;

/// <summary>A configured Twilio account.</summary>
/// <param name="Name">The options name.</param>
/// <param name="Options">Its settings.</param>
public sealed record WhatsAppAccount(string Name, WhatsAppOptions Options);
