using Crm.Campaigns.Segments;

namespace Crm.Campaigns.Campaigns;

/// <summary>Where a campaign stands.</summary>
public enum CampaignStatus
{
    /// <summary>Waiting for its <c>scheduledAt</c>.</summary>
    Scheduled,

    /// <summary>Recipients snapshotted; the dispatcher is sending.</summary>
    Sending,

    /// <summary>Stopped by a person or by too many consecutive failures; resume continues.</summary>
    Paused,

    /// <summary>Every recipient was sent to or failed.</summary>
    Completed,

    /// <summary>Stopped for good.</summary>
    Cancelled,
}

/// <summary>A bulk email campaign with its counters.</summary>
/// <param name="Id">The id.</param>
/// <param name="Subject">The subject (Liquid).</param>
/// <param name="Body">The HTML body (Liquid).</param>
/// <param name="Segment">Who it goes to.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ScheduledAt">When it is to be launched, when scheduled.</param>
/// <param name="LaunchedAt">When the recipients were snapshotted.</param>
/// <param name="CompletedAt">When the last recipient was done.</param>
/// <param name="FromAddress">The sender address.</param>
/// <param name="FromName">The sender's display name.</param>
/// <param name="TrackingBaseUrl">The base of its open and unsubscribe links.</param>
/// <param name="Stats">Its counters.</param>
/// <param name="PauseReason">Why it was paused, when paused.</param>
public sealed record Campaign(
    long Id,
    string Subject,
    string Body,
    SegmentCriteria Segment,
    CampaignStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ScheduledAt,
    DateTimeOffset? LaunchedAt,
    DateTimeOffset? CompletedAt,
    string FromAddress,
    string? FromName,
    string TrackingBaseUrl,
    CampaignStats Stats,
    string? PauseReason = null)
{
    /// <summary>Where recipients' answers go (<c>Reply-To</c>), when not the sender.</summary>
    public string? ReplyTo { get; init; }

    /// <summary>False when this campaign carries no open pixel.</summary>
    public bool TrackOpens { get; init; } = true;

    /// <summary>False when this campaign's links are sent as written.</summary>
    public bool TrackClicks { get; init; } = true;

    /// <summary>The tracked links of the body, by index (what a click token's index names).</summary>
    public IReadOnlyList<string> Links { get; init; } = [];

    /// <summary>The reason of the latest attempt that failed or was deferred (the server's answer, "could not connect", a template error).</summary>
    public string? LastError { get; init; }

    /// <summary>When <see cref="LastError"/> happened.</summary>
    public DateTimeOffset? LastErrorAt { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the span that created the campaign (<c>crm.campaigns.campaign</c>), when it was
    /// traced: every batch span that sends to it links to it, on any instance, days later.
    /// </summary>
    public string? TraceParent { get; init; }
}

/// <summary>What of a campaign's ledger is not finished yet.</summary>
/// <param name="InFlight">Rows a dispatcher holds right now (claimed, being sent).</param>
/// <param name="Deferred">Rows waiting for another attempt after a temporary failure.</param>
public sealed record CampaignBacklog(int InFlight, int Deferred);

/// <summary>A campaign's counters.</summary>
/// <param name="Recipients">Recipients snapshotted at launch.</param>
/// <param name="Sent">Accepted by the SMTP server.</param>
/// <param name="Failed">Refused permanently.</param>
/// <param name="UniqueOpens">Recipients who opened at least once.</param>
/// <param name="TotalOpens">Every pixel load with a valid token.</param>
/// <param name="Unsubscribes">Recipients who unsubscribed from this campaign.</param>
/// <param name="Skipped">Not sent because the contact unsubscribed or bounced after the launch.</param>
public sealed record CampaignStats(int Recipients, int Sent, int Failed, int UniqueOpens, int TotalOpens, int Unsubscribes, int Skipped = 0)
{
    /// <summary>Recipients who clicked at least one tracked link.</summary>
    public int UniqueClicks { get; init; }

    /// <summary>Every click on a tracked link with a valid token.</summary>
    public int TotalClicks { get; init; }

    /// <summary>Pixel loads judged automatic (privacy proxies, scanners): not in <see cref="UniqueOpens"/> or <see cref="TotalOpens"/>.</summary>
    public int MachineOpens { get; init; }

    /// <summary>Recipients whose address hard-bounced (or soft-bounced too often).</summary>
    public int Bounces { get; init; }

    /// <summary>Recipients who reported the mail as spam.</summary>
    public int Complaints { get; init; }
}

/// <summary>A campaign to create.</summary>
/// <param name="Subject">The subject (Liquid).</param>
/// <param name="Body">The HTML body (Liquid).</param>
/// <param name="Segment">Who it goes to.</param>
/// <param name="ScheduledAt">When to launch; null launches now.</param>
/// <param name="FromAddress">The sender address.</param>
/// <param name="FromName">The sender's display name.</param>
/// <param name="TrackingBaseUrl">The base of its links.</param>
/// <param name="CreatedAt">Now.</param>
public sealed record NewCampaign(
    string Subject,
    string Body,
    SegmentCriteria Segment,
    DateTimeOffset? ScheduledAt,
    string FromAddress,
    string? FromName,
    string TrackingBaseUrl,
    DateTimeOffset CreatedAt)
{
    /// <summary>Where recipients' answers go (<c>Reply-To</c>).</summary>
    public string? ReplyTo { get; init; }

    /// <summary>False to send no open pixel.</summary>
    public bool TrackOpens { get; init; } = true;

    /// <summary>False to send the links as written.</summary>
    public bool TrackClicks { get; init; } = true;

    /// <summary>The body's trackable links, by index.</summary>
    public IReadOnlyList<string> Links { get; init; } = [];

    /// <summary>The W3C <c>traceparent</c> of the span creating it, for the batch spans' links (see <see cref="Campaign.TraceParent"/>).</summary>
    public string? TraceParent { get; init; }
}

/// <summary>One ledger row claimed for sending, with what personalisation needs.</summary>
/// <param name="RecipientId">The ledger row id (names the recipient in tokens).</param>
/// <param name="CampaignId">The campaign.</param>
/// <param name="ContactId">The contact.</param>
/// <param name="Email">The address snapshotted at launch.</param>
/// <param name="Name">The contact's name now.</param>
/// <param name="Attributes">The contact's attributes now.</param>
/// <param name="Attempts">Earlier attempts (0 on the first).</param>
/// <param name="Suppressed">True when the contact unsubscribed or bounced since launch: skip it.</param>
public sealed record ClaimedRecipient(long RecipientId, long CampaignId, long ContactId, string Email, string? Name, IReadOnlyDictionary<string, string> Attributes, int Attempts, bool Suppressed = false);

/// <summary>How a send attempt ended, for <see cref="ICampaignStore.CompleteAttemptsAsync"/>.</summary>
/// <param name="RecipientId">The ledger row.</param>
/// <param name="CampaignId">Its campaign.</param>
/// <param name="Outcome">What happened.</param>
/// <param name="Error">Why it failed, for failures and retries; null for a row released unsent (campaign paused).</param>
/// <param name="RetryAt">When to try again, for retries.</param>
public sealed record SendAttempt(long RecipientId, long CampaignId, SendOutcome Outcome, string? Error = null, DateTimeOffset? RetryAt = null);

/// <summary>How one send attempt ended.</summary>
public enum SendOutcome
{
    /// <summary>The SMTP server accepted it.</summary>
    Sent,

    /// <summary>Refused for good (5xx for this recipient).</summary>
    Failed,

    /// <summary>A temporary problem: back to pending until <see cref="SendAttempt.RetryAt"/>.</summary>
    Retry,

    /// <summary>Not sent and never will be (the contact unsubscribed or bounced since launch).</summary>
    Skipped,
}
