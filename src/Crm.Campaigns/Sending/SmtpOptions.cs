using System.Net.Security;
using System.ComponentModel.DataAnnotations;
using Crm.Mail.OAuth;

namespace Crm.Campaigns.Sending;

/// <summary>Where and how campaigns are sent over SMTP.</summary>
public sealed class SmtpOptions : IValidatableObject
{
    /// <summary>The SMTP server.</summary>
    [Required]
    public string Host { get; set; } = "";

    /// <summary>Its port. Default 25 (587 for submission with STARTTLS, 465 for implicit TLS).</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    /// <summary>The user name, when the server needs authentication.</summary>
    public string? UserName { get; set; }

    /// <summary>The password; not used when <see cref="OAuth"/> is configured.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Signs in with an OAuth 2.0 token (XOAUTH2, or OAUTHBEARER where offered) instead of the password, as
    /// Microsoft 365 and Google require; <see cref="UserName"/> is the mailbox's address.
    /// </summary>
    public MailOAuthOptions OAuth { get; } = new();

    /// <summary>
    /// TLS: <c>Auto</c> (STARTTLS when offered; implicit TLS on 465), <c>None</c>, <c>StartTls</c> (required),
    /// <c>SslOnConnect</c>. Default <c>Auto</c>.
    /// </summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;

    /// <summary>How many connections are kept open and used at once. Default 4.</summary>
    [Range(1, 256)]
    public int MaxConnections { get; set; } = 4;

    /// <summary>How many messages one connection carries before it is replaced (servers cap it). Default 1,000.</summary>
    [Range(1, 1_000_000)]
    public int MessagesPerConnection { get; set; } = 1_000;

    /// <summary>The timeout of each SMTP command. Default 30 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The name sent in EHLO; the machine name when unset.</summary>
    public string? LocalDomain { get; set; }

    /// <summary>
    /// Decides whether the server's TLS certificate is trusted; unset, the system's validation (chain, host name,
    /// revocation) decides. Set in code, for a relay with a private certificate authority.
    /// </summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidation { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (OAuth.Problem() is { } problem)
        {
            yield return new ValidationResult(problem, [nameof(OAuth)]);
        }
        else if (OAuth.IsEnabled && string.IsNullOrEmpty(UserName))
        {
            yield return new ValidationResult("OAuth needs the UserName (the mailbox signed in to).", [nameof(UserName)]);
        }
    }
}
