using System.ComponentModel.DataAnnotations;
using Crm.Mail.OAuth;

namespace Crm.Channels.Email;

/// <summary>One mailbox the IMAP poller watches. Configure several with named options.</summary>
public sealed class ImapMailboxOptions : IValidatableObject
{
    /// <summary>The IMAP server.</summary>
    [Required]
    public string Host { get; set; } = "";

    /// <summary>Its port. Default 993.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 993;

    /// <summary>TLS: <c>Auto</c> (implicit TLS on 993, STARTTLS when offered elsewhere), <c>None</c>, <c>StartTls</c>, <c>SslOnConnect</c>.</summary>
    public MailSecurity Security { get; set; } = MailSecurity.Auto;

    /// <summary>The login.</summary>
    [Required]
    public string UserName { get; set; } = "";

    /// <summary>The password; not used when <see cref="OAuth"/> is configured.</summary>
    public string Password { get; set; } = "";

    /// <summary>
    /// Signs in with an OAuth 2.0 token (XOAUTH2, or OAUTHBEARER where offered) instead of the password, as
    /// Microsoft 365 and Google require; <see cref="UserName"/> is the mailbox's address.
    /// </summary>
    public MailOAuthOptions OAuth { get; } = new();

    /// <summary>
    /// The inbox (<c>AddEmailInbox</c>'s name) this mailbox's mail is for when its recipients name none of our addresses,
    /// e.g. mail forwarded into it. Unset: such mail is the default inbox's.
    /// </summary>
    public string? Inbox { get; set; }

    /// <summary>The folder to take mail from. Default <c>INBOX</c>.</summary>
    [Required]
    public string Folder { get; set; } = "INBOX";

    /// <summary>How often to look for new mail when the server has no IDLE (and the longest IDLE). Default 1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:29:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Waits with IMAP IDLE when the server offers it, so mail is taken within a second. Default true.</summary>
    public bool UseIdle { get; set; } = true;

    /// <summary>What to do with a message once stored. Default <see cref="ProcessedMailAction.None"/>: never delete by default.</summary>
    public ProcessedMailAction AfterProcessing { get; set; } = ProcessedMailAction.None;

    /// <summary>The folder processed mail moves to with <see cref="ProcessedMailAction.Move"/>.</summary>
    public string? MoveToFolder { get; set; }

    /// <summary>The longest wait between reconnection attempts. Default 1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (OAuth.Problem() is { } problem)
        {
            yield return new ValidationResult(problem, [nameof(OAuth)]);
        }
        else if (!OAuth.IsEnabled && string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult("An IMAP mailbox needs a Password or OAuth settings.", [nameof(Password)]);
        }
    }
}
