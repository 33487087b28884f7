namespace Crm.Channels.WhatsApp;

/// <summary>Records that <c>AddWhatsApp(name, ...)</c> configured an account with this name.</summary>
/// <param name="Name">The options name.</param>
public sealed record WhatsAppAccountRegistration(string Name);
