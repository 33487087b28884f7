using System.ComponentModel.DataAnnotations;

namespace Crm.Campaigns.Dispatching;

/// <summary>
/// The dispatcher's pace (<c>Crm:Campaigns</c>, the same keys as before they had a class of their own): batches and
/// leases, rates overall and per receiving domain, retries, and when a campaign pauses itself.
/// </summary>
public sealed class DispatcherOptions
{
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

    /// <summary>Runs the dispatcher in this process. Default true; turn off for API-only instances.</summary>
    public bool RunDispatcher { get; set; } = true;
}
