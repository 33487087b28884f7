namespace Crm.Campaigns.Sending;

/// <summary>How an SMTP connection is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>STARTTLS when the server offers it; implicit TLS on port 465.</summary>
    Auto,

    /// <summary>Plain text.</summary>
    None,

    /// <summary>STARTTLS, required.</summary>
    StartTls,

    /// <summary>TLS from the first byte.</summary>
    SslOnConnect,
}
