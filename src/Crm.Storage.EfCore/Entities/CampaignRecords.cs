namespace Crm.Storage.EfCore.Entities;

/// <summary>A row of <c>bulk_email_campaigns</c>.</summary>
internal sealed class CampaignRecord
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
    public string Status { get; set; } = "scheduled";

    /// <summary>Why it was paused.</summary>
    public string? PauseReason { get; set; }

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
}

/// <summary>A row of <c>campaign_recipients</c>: the send ledger, one per (campaign, contact) and (campaign, address).</summary>
internal sealed class CampaignRecipientRecord
{
    /// <summary>The id (names the recipient in tracking tokens).</summary>
    public long Id { get; set; }

    /// <summary>The campaign.</summary>
    public long CampaignId { get; set; }

    /// <summary>The contact.</summary>
    public long ContactId { get; set; }

    /// <summary>The address at launch.</summary>
    public string Email { get; set; } = "";

    /// <summary><c>pending</c>, <c>sending</c>, <c>sent</c>, <c>failed</c> or <c>skipped</c>.</summary>
    public string State { get; set; } = "pending";

    /// <summary>Send attempts so far.</summary>
    public int Attempts { get; set; }

    /// <summary>The last failure.</summary>
    public string? LastError { get; set; }

    /// <summary>Not before this time (Unix ms) is a pending row claimed.</summary>
    public long NextAttemptAt { get; set; }

    /// <summary>Until this time (Unix ms) the claim holds; after it another dispatcher may take the row.</summary>
    public long LeaseUntil { get; set; }

    /// <summary>Which dispatcher holds the claim.</summary>
    public string? LeaseOwner { get; set; }

    /// <summary>When the SMTP server accepted it.</summary>
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>The first open.</summary>
    public DateTimeOffset? FirstOpenedAt { get; set; }

    /// <summary>All opens.</summary>
    public int OpenCount { get; set; }

    /// <summary>When this recipient unsubscribed through this campaign.</summary>
    public DateTimeOffset? UnsubscribedAt { get; set; }
}

/// <summary>A row of <c>crm_settings</c>: values the library generates once and keeps (the tracking signing key).</summary>
internal sealed class CrmSettingRecord
{
    /// <summary>The name.</summary>
    public string Key { get; set; } = "";

    /// <summary>The value.</summary>
    public string Value { get; set; } = "";
}
