namespace Crm.Channels.WhatsApp;

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
