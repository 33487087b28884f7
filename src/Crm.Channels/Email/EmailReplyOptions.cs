using Crm.Mail;
using Crm.Mail.OAuth;
using System.ComponentModel.DataAnnotations;
using MimeKit;

namespace Crm.Channels.Email;

/// <summary>
/// One inbox: the address customers write to and agents answer from, its signature, and how its mail is sent (through an
/// SMTP server, or as <c>.eml</c> files into a pickup directory). <c>AddEmailReplies</c> configures the default inbox,
/// <c>AddEmailInbox(name, ...)</c> each further one.
/// </summary>
public sealed class EmailReplyOptions : IValidatableObject
{
    /// <summary>The name the default inbox is known by (tickets, the admin, <c>POST /tickets/outbound</c>).</summary>
    public const string DefaultInbox = "default";

    /// <summary>The inbox's mailbox replies come from, e.g. <c>Support &lt;support@example.com&gt;</c>; its domain also names minted Message-IDs.</summary>
    [Required]
    public string From { get; set; } = "";

    /// <summary>
    /// Further addresses this inbox receives mail at (aliases such as <c>help@example.com</c>). With <see cref="From"/>'s,
    /// they decide which inbox a mail came to (by <c>Delivered-To</c>, <c>To</c> and <c>Cc</c>), are never copied in on
    /// replies, and mail from them is never a ticket.
    /// </summary>
    public IList<string> Addresses { get; } = [];

    /// <summary>
    /// Appended to every email reply after a <c>-- </c> line (RFC 3676): a Liquid template with <c>agent.name</c>,
    /// <c>inbox.name</c> and <c>inbox.address</c>, rendered in the same sandbox as campaign templates. Never on chat or
    /// WhatsApp replies.
    /// </summary>
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

    /// <summary>Every address this inbox receives mail at, normalised: its From's, then its aliases.</summary>
    internal IEnumerable<string> ReceivingAddresses() =>
        new[] { MailboxAddress.TryParse(From, out var from) ? from.Address : null }.Concat(Addresses)
            .Select(Crm.Contacts.ContactIdentity.NormalizeEmail).OfType<string>();

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

        foreach (var address in Addresses.Where(a => Crm.Contacts.ContactIdentity.NormalizeEmail(a) is null))
        {
            yield return new ValidationResult($"The inbox address '{address}' is not an email address.", [nameof(Addresses)]);
        }

        if (!string.IsNullOrEmpty(Signature) && !MailSignature.TryParse(Signature, out _, out var error))
        {
            yield return new ValidationResult($"The signature is not a valid template: {error}", [nameof(Signature)]);
        }
    }
}
