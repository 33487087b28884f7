namespace Crm.Channels.Email;

/// <summary>How a mail connection is secured.</summary>
public enum MailSecurity
{
    /// <summary>Implicit TLS on the well-known TLS ports, STARTTLS when offered elsewhere.</summary>
    Auto,

    /// <summary>Plain text (loopback and tests only).</summary>
    None,

    /// <summary>STARTTLS, required.</summary>
    StartTls,

    /// <summary>TLS from the first byte.</summary>
    SslOnConnect,
}
