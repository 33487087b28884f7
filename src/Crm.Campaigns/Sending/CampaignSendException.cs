namespace Crm.Campaigns.Sending;

/// <summary>A transport refused a message.</summary>
public sealed class CampaignSendException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened (the server's reply, when it gave one).</param>
    /// <param name="isPermanent">True when retrying cannot help (an SMTP 5xx for this recipient).</param>
    /// <param name="statusCode">The SMTP status code, when the server answered one.</param>
    /// <param name="innerException">The transport's exception.</param>
    public CampaignSendException(string message, bool isPermanent, int? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        IsPermanent = isPermanent;
        StatusCode = statusCode;
    }

    /// <summary>True when retrying cannot help.</summary>
    public bool IsPermanent { get; }

    /// <summary>The SMTP status code, when there was one.</summary>
    public int? StatusCode { get; }

    /// <summary>
    /// True when the transport could not be reached and has never been reached since it started: its settings (host,
    /// port, TLS, credentials) are most likely wrong, so the dispatcher pauses the campaign with this reason instead of
    /// retrying every recipient into failure. A custom sender sets it the same way.
    /// </summary>
    public bool TransportNeverConnected { get; init; }
}
