using Crm.Mail;
using System.ComponentModel.DataAnnotations;

namespace Crm.Campaigns;

/// <summary>
/// Campaign settings: the sender, the links, what a campaign and an import may hold, and the template limits. The
/// dispatcher's pace (<see cref="Dispatching.DispatcherOptions"/>) and tracking (<see cref="Tracking.TrackingOptions"/>)
/// have options of their own, bound from the same section.
/// </summary>
public sealed class BulkEmailOptions : IValidatableObject
{
    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Dkim.Problem() is { } dkim)
        {
            yield return new ValidationResult(dkim, [nameof(Dkim)]);
        }
    }

    /// <summary>The default sender address of campaigns. Required: there is no made-up default sender.</summary>
    [Required(ErrorMessage = "Set the sender address of campaigns (Crm:Campaigns:FromAddress, or o.FromAddress in AddBulkEmail).")]
    [EmailAddress]
    public string? FromAddress { get; set; }

    /// <summary>
    /// The domains a campaign may name as its own sender (<c>fromAddress</c>); the default sender's domain when empty.
    /// Keep it to the domains you publish SPF and DKIM for.
    /// </summary>
    public IList<string> AllowedFromDomains { get; } = [];

    /// <summary>The domains a campaign's sender may have: <see cref="AllowedFromDomains"/>, or the default sender's domain.</summary>
    public IReadOnlyList<string> SenderDomains => AllowedFromDomains.Count > 0
        ? [.. AllowedFromDomains]
        : FromAddress is { } from && from.LastIndexOf('@') is > 0 and var at ? [from[(at + 1)..]] : [];

    /// <summary>True when a campaign may send from <paramref name="domain"/>.</summary>
    public bool AllowsSenderDomain(string domain) => SenderDomains.Contains(domain, StringComparer.OrdinalIgnoreCase);

    /// <summary>DKIM signing of every campaign message and test send; off while unset.</summary>
    public DkimOptions Dkim { get; } = new();

    /// <summary>The default sender display name; none while unset (a campaign may name one).</summary>
    [MaxLength(128)]
    public string? FromName { get; set; }

    /// <summary>
    /// The public base URL of open and unsubscribe links (e.g. <c>https://crm.example.com</c>). When unset,
    /// the URL of the request that created the campaign is used.
    /// </summary>
    [Url]
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// The RFC 2919 <c>List-Id</c> of campaign mail, a dot-atom such as <c>news.shop.example</c> under a domain you own;
    /// <c>campaigns.{sender domain}</c> when unset.
    /// </summary>
    [RegularExpression(@"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)+$", ErrorMessage = "ListId must be a dot-atom such as news.shop.example.")]
    public string? ListId { get; set; }

    /// <summary>The mailbox of the <c>mailto:</c> unsubscribe in <c>List-Unsubscribe</c>; the sender address when unset.</summary>
    [EmailAddress]
    public string? UnsubscribeMailbox { get; set; }

    /// <summary>
    /// The domain of campaign mail's return path (<c>bounces+{campaign}.{token}@{domain}</c>, VERP), whose mailbox must reach
    /// the email intake (IMAP or the inbound webhook) so bounces are matched. The sender address's domain when unset.
    /// </summary>
    [RegularExpression(@"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$", ErrorMessage = "BounceDomain must be a host name such as bounces.example.com.")]
    public string? BounceDomain { get; set; }

    /// <summary>The longest HTML body accepted, in characters. Default 512 KiB.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxBodyLength { get; set; } = 512 * 1024;

    /// <summary>The largest <c>POST /bulk-email</c> or <c>POST /contacts</c> request body, in bytes. Default 8 MiB.</summary>
    [Range(4096, 256 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>The most rows one <c>POST /contacts</c> takes. Default 10,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxImportRows { get; set; } = 10_000;

    /// <summary>Liquid statements (loop iterations included) one rendering may execute. Default 100,000.</summary>
    [Range(100, 10_000_000)]
    public int TemplateMaxSteps { get; set; } = TemplateLimits.Default.MaxSteps;

    /// <summary>Characters one rendered body, or any value a template builds, may have. Default 1,000,000.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int TemplateMaxOutputLength { get; set; } = TemplateLimits.Default.MaxOutputLength;

    /// <summary>Elements a Liquid range <c>(from..to)</c> may have. Default 10,000.</summary>
    [Range(1, 10_000_000)]
    public int TemplateMaxRangeLength { get; set; } = TemplateLimits.Default.MaxRangeLength;

    /// <summary>Wall-clock time one rendering may take. Default 1 second.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan TemplateTimeout { get; set; } = TemplateLimits.Default.Timeout;

    /// <summary>The template limits these options describe.</summary>
    public TemplateLimits TemplateLimits => new(TemplateMaxSteps, TemplateMaxOutputLength, TemplateMaxRangeLength, TemplateTimeout);

}
