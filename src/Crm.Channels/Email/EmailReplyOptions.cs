using Crm.Mail;
using Crm.Mail.OAuth;
using System.ComponentModel.DataAnnotations;
using MimeKit;

namespace Crm.Channels.Email;

/// <summary>How agents' replies to email tickets are sent: through an SMTP server, or as <c>.eml</c> files into a pickup directory.</summary>
public sealed class EmailReplyOptions : IValidatableObject
{
    /// <summary>The support mailbox replies come from, e.g. <c>Support &lt;support@example.com&gt;</c>; its domain also names minted Message-IDs.</summary>
    [Required]
    public string From { get; set; } = "";

    /// <summary>Text appended to every reply, after a <c>-- </c> line (RFC 3676 signature separator).</summary>
    [MaxLength(2000)]
    public string? Signature { get; set; }

    /// <summary>The SMTP server. Unset: replies are written to <see cref="PickupDirectory"/>.</summary>
    public string? SmtpHost { get; set; }

    /// <summary>The SMTP port. Default 25.</summary>
    [Range(1, 65535)]
    public int SmtpPort { get; set; } = 25;

    /// <summary>The SMTP user, when the server wants authentication.</summary>
    public string? SmtpUserName { get; set; }

    /// <summary>The SMTP password; not used when <see cref="SmtpOAuth"/> is configured.</summary>
    public string? SmtpPassword { get; set; }

    /// <summary>
    /// Signs in to the SMTP server with an OAuth 2.0 token (XOAUTH2, or OAUTHBEARER where offered) instead of the
    /// password, as Microsoft 365 and Google require; <see cref="SmtpUserName"/> is the mailbox's address.
    /// </summary>
    public MailOAuthOptions SmtpOAuth { get; } = new();

    /// <summary>How long one SMTP conversation may take. Default 30 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan SmtpTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Where replies are written when no SMTP server is set. Default <c>outbox</c>.</summary>
    public string PickupDirectory { get; set; } = "outbox";

    /// <summary>DKIM signing of every reply; off while unset.</summary>
    public DkimOptions Dkim { get; } = new();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Dkim.Problem() is { } dkim)
        {
            yield return new ValidationResult(dkim, [nameof(Dkim)]);
        }

        if (SmtpOAuth.Problem() is { } oauth)
        {
            yield return new ValidationResult(oauth, [nameof(SmtpOAuth)]);
        }
        else if (SmtpOAuth.IsEnabled && (string.IsNullOrEmpty(SmtpHost) || string.IsNullOrEmpty(SmtpUserName)))
        {
            yield return new ValidationResult("OAuth for replies needs SmtpHost and SmtpUserName (the mailbox signed in to).", [nameof(SmtpOAuth)]);
        }

        if (!MailboxAddress.TryParse(From, out var from) || from.Domain.Length == 0)
        {
            yield return new ValidationResult($"EmailReplyOptions.From '{From}' is not a mailbox such as 'Support <support@example.com>'.", [nameof(From)]);
        }
    }
}
