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
}
