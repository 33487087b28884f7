namespace Crm.Events;

/// <summary><c>campaign.launched</c>: a campaign started sending (now, or at its scheduled time).</summary>
/// <param name="CampaignId">The campaign.</param>
/// <param name="Subject">Its subject.</param>
/// <param name="Recipients">How many recipients its ledger holds.</param>
public sealed record CampaignLaunchedEvent(long CampaignId, string Subject, int Recipients) : CrmEvent
{
    /// <inheritdoc />
    public override string Type => CrmEventTypes.CampaignLaunched;
}

/// <summary><c>campaign.paused</c>: a campaign was paused.</summary>
/// <param name="CampaignId">The campaign.</param>
/// <param name="Reason">Who paused it, or why the dispatcher did (e.g. the mail server refused the sender).</param>
public sealed record CampaignPausedEvent(long CampaignId, string? Reason) : CrmEvent
{
    /// <inheritdoc />
    public override string Type => CrmEventTypes.CampaignPaused;
}

/// <summary><c>campaign.completed</c>: every recipient was sent to or failed.</summary>
/// <param name="CampaignId">The campaign.</param>
/// <param name="Sent">Messages the server accepted.</param>
/// <param name="Failed">Messages that failed for good.</param>
public sealed record CampaignCompletedEvent(long CampaignId, int Sent, int Failed) : CrmEvent
{
    /// <inheritdoc />
    public override string Type => CrmEventTypes.CampaignCompleted;
}

/// <summary><c>campaign.cancelled</c>: a campaign was cancelled; what was not sent yet never will be.</summary>
/// <param name="CampaignId">The campaign.</param>
public sealed record CampaignCancelledEvent(long CampaignId) : CrmEvent
{
    /// <inheritdoc />
    public override string Type => CrmEventTypes.CampaignCancelled;
}
