namespace Crm.Channels.WhatsApp;

/// <summary>Sends WhatsApp messages through Twilio's Messages API, so agents answer on the channel the customer used.</summary>
public interface IWhatsAppSender
{
    /// <summary>Sends one message.</summary>
    /// <exception cref="TwilioApiException">Twilio refused the message (after retries for 429 and 5xx).</exception>
    Task<WhatsAppSendResult> SendAsync(WhatsAppOutboundMessage message, CancellationToken cancellationToken);
}
