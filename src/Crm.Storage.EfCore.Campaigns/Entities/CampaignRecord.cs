using Crm.Storage.EfCore.Entities;
namespace Crm.Storage.EfCore.Campaigns.Entities;

/// <summary>A row of <c>bulk_email_campaigns</c>.</summary>
internal sealed class CampaignRecord : ICrmRecord
{
    /// <summary>The id.</summary>
    public long Id { get; set; }

    /// <summary>The subject (Liquid).</summary>
    public string Subject { get; set; } = "";

    /// <summary>The HTML body (Liquid).</summary>
    public string Body { get; set; } = "";

    /// <summary>The segment as JSON.</summary>
    public string SegmentCriteria { get; set; } = "{}";

    /// <summary><c>draft</c>, <c>scheduled</c>, <c>sending</c>, <c>paused</c>, <c>completed</c> or <c>cancelled</c>.</summary>
    public CampaignRowStatus Status { get; set; } = CampaignRowStatus.Scheduled;

    /// <summary>Why it was paused.</summary>
    public string? PauseReason { get; set; }

    /// <summary>The reason of the latest failed or deferred attempt.</summary>
    public string? LastError { get; set; }

    /// <summary>When that was.</summary>
    public DateTimeOffset? LastErrorAt { get; set; }

    /// <summary>The W3C traceparent of the span that created it.</summary>
    public string? TraceParent { get; set; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it is due.</summary>
    public DateTimeOffset? ScheduledAt { get; set; }

    /// <summary>When recipients were snapshotted.</summary>
    public DateTimeOffset? LaunchedAt { get; set; }

    /// <summary>When it completed.</summary>
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>Sender address.</summary>
    public string FromAddress { get; set; } = "";

    /// <summary>Sender name.</summary>
    public string? FromName { get; set; }

    /// <summary>Base of its links.</summary>
    public string TrackingBaseUrl { get; set; } = "";

    /// <summary>Recipients snapshotted.</summary>
    public int RecipientCount { get; set; }

    /// <summary>Accepted by the SMTP server.</summary>
    public int SentCount { get; set; }

    /// <summary>Refused for good.</summary>
    public int FailedCount { get; set; }

    /// <summary>Skipped (unsubscribed or bounced after launch).</summary>
    public int SkippedCount { get; set; }

    /// <summary>Unique opens.</summary>
    public int OpenCount { get; set; }

    /// <summary>All opens.</summary>
    public int TotalOpens { get; set; }

    /// <summary>Unsubscribes from this campaign.</summary>
    public int UnsubscribeCount { get; set; }

    public string? ReplyTo { get; set; }

    public bool TrackOpens { get; set; } = true;

    public bool TrackClicks { get; set; } = true;

    /// <summary>The tracked links as a JSON array of URLs.</summary>
    public string? LinksJson { get; set; }

    public int ClickCount { get; set; }

    public int TotalClicks { get; set; }

    public int MachineOpens { get; set; }

    public int BounceCount { get; set; }

    public int ComplaintCount { get; set; }
}
