using Crm.Mail;
using System.ComponentModel.DataAnnotations;

namespace Crm.Campaigns;

/// <summary>Campaign settings: sender, links, limits and the dispatcher's pace.</summary>
public sealed class BulkEmailOptions : IValidatableObject
{
    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SigningKey is not null && System.Text.Encoding.UTF8.GetByteCount(SigningKey) < 32)
        {
            yield return new ValidationResult("The tracking SigningKey must be at least 32 bytes: anyone could forge opens and unsubscribes with a short one.", [nameof(SigningKey)]);
        }

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

    /// <summary>The key that signs tracking tokens. When unset a random key is generated once and kept in the store.</summary>
    public string? SigningKey { get; set; }

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

    /// <summary>Ledger rows claimed per batch. Default 200.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>How long a claim lasts before another dispatcher may take the rows over. Default 2 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The safety poll of an idle dispatcher. It otherwise sleeps until the next work the store knows of (a scheduled
    /// start, a retry, an expiring lease) or until woken (a campaign created or resumed; on PostgreSQL, on any host).
    /// Default 30 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Limits per receiving domain (<c>Crm:Campaigns:Domains:gmail.com:MaxConcurrency</c>, <c>…:MessagesPerSecond</c>), as
    /// the large providers throttle per domain. Every domain, configured or not, is deferred after it answers 4xx, while
    /// the rest of the campaign keeps flowing. Empty by default.
    /// </summary>
    public IDictionary<string, DomainLimit> Domains { get; } = new Dictionary<string, DomainLimit>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The most messages sent per second across the dispatcher; 0 for no limit.</summary>
    [Range(0, 100_000)]
    public int MessagesPerSecond { get; set; }

    /// <summary>Attempts per recipient before a temporary failure counts as failed. Default 5.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The first retry delay after a temporary failure; doubled each attempt. Default 10 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The most messages a dispatcher may have sent (or be sending) whose outcome is not yet recorded: what a crash can
    /// send twice, per host. Outcomes are committed in groups (three quarters of this many, or every 25 ms). Default 64.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxUnrecordedMessages { get; set; } = 64;

    /// <summary>Consecutive failed attempts after which the campaign pauses itself. Default 50.</summary>
    [Range(1, 100_000)]
    public int MaxConsecutiveFailures { get; set; } = 50;

    /// <summary>Recipients whose message could not be rendered after which the campaign pauses itself. Default 10.</summary>
    [Range(1, 100_000)]
    public int MaxRenderFailures { get; set; } = 10;

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

    /// <summary>Put an open pixel in campaign mail; false turns open tracking off for every campaign (privacy). Default true.</summary>
    public bool TrackOpens { get; set; } = true;

    /// <summary>Route the body's links through the click tracker; false turns click tracking off for every campaign. Default true.</summary>
    public bool TrackClicks { get; set; } = true;

    /// <summary>An open this soon after the send is a machine's (a scanner or a privacy proxy), not a person's. Default 5 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MachineOpenWindow { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long pixel hits are gathered before they are written in one transaction. Default 100 ms; zero writes as soon as possible.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan OpenFlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How many pixel hits may wait to be written before the pixel slows down. Default 100,000.</summary>
    [Range(100, 10_000_000)]
    public int OpenQueueCapacity { get; set; } = 100_000;

    /// <summary>Runs the dispatcher in this process. Default true; turn off for API-only instances.</summary>
    public bool RunDispatcher { get; set; } = true;
}
