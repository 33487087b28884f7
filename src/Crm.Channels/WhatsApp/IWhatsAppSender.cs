namespace Crm.Channels.WhatsApp;

/// <summary>Sends WhatsApp messages through Twilio's Messages API, so agents answer on the channel the customer used.</summary>
public interface IWhatsAppSender
{
    /// <summary>Sends one message.</summary>
    /// <exception cref="TwilioApiException">Twilio refused the message (after retries for 429 and 5xx).</exception>
    Task<WhatsAppSendResult> SendAsync(WhatsAppOutboundMessage message, CancellationToken cancellationToken);
}

/// <summary>A message to send.</summary>
/// <param name="To">The recipient, E.164 (<c>+447700900123</c>) or <c>whatsapp:+447700900123</c>.</param>
/// <param name="Body">The text.</param>
/// <param name="MediaUrls">Public URLs of media to attach.</param>
/// <param name="Account">The options name of the account to send from; the default account when null.</param>
public sealed record WhatsAppOutboundMessage(string To, string Body, IReadOnlyList<Uri>? MediaUrls = null, string? Account = null);

/// <summary>Twilio's answer for a queued message.</summary>
/// <param name="MessageSid">The new message's SID (<c>SM…</c>); store it to dedupe status callbacks.</param>
/// <param name="Status">Twilio's status, e.g. <c>queued</c>.</param>
public sealed record WhatsAppSendResult(string MessageSid, string Status);

/// <summary>Twilio answered an error (its JSON error body, when it sent one).</summary>
public sealed class TwilioApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TwilioApiException(int statusCode, int? errorCode, string message, string? moreInfo)
        : base($"Twilio answered {statusCode}{(errorCode is null ? "" : $" (error {errorCode})")}: {message}")
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
        MoreInfo = moreInfo;
    }

    /// <summary>The HTTP status.</summary>
    public int StatusCode { get; }

    /// <summary>Twilio's error code (e.g. 21211 invalid 'To' number), see <see cref="MoreInfo"/>.</summary>
    public int? ErrorCode { get; }

    /// <summary>Twilio's link to the error's documentation.</summary>
    public string? MoreInfo { get; }
}
