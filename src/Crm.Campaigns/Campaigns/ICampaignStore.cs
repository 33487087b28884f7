
namespace Crm.Campaigns.Campaigns;

/// <summary>Campaigns and their send ledger (<c>bulk_email_campaigns</c>, <c>campaign_recipients</c>).</summary>
public interface ICampaignStore
{
    /// <summary>Creates a campaign as scheduled (it is launched by the dispatcher when due, at once when not scheduled).</summary>
    Task<Campaign> CreateAsync(NewCampaign campaign, CancellationToken cancellationToken);

    /// <summary>Reads one campaign.</summary>
    Task<Campaign?> GetAsync(long campaignId, CancellationToken cancellationToken);

    /// <summary>Lists campaigns, newest first.</summary>
    Task<IReadOnlyList<Campaign>> ListAsync(int page, int pageSize, CancellationToken cancellationToken);

    /// <summary>How many campaigns there are (the total of <see cref="ListAsync"/>'s pages).</summary>
    Task<int> CountAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Launches one due scheduled campaign, if any: snapshots its recipients into the ledger (segment members
    /// with an email, minus unsubscribed and bounced contacts, one row per address) and sets it sending,
    /// atomically, so two dispatchers never both launch it.
    /// </summary>
    /// <returns>The launched campaign, or null when none was due.</returns>
    Task<Campaign?> LaunchNextDueAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="batchSize"/> pending ledger rows of sending campaigns whose retry time has
    /// come, and rows whose claim lease expired (their dispatcher died), leasing them until <paramref name="leaseUntil"/>.
    /// </summary>
    Task<IReadOnlyList<ClaimedRecipient>> ClaimBatchAsync(int batchSize, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>
    /// When there will next be work no signal announces: the earliest of a scheduled campaign's start, a pending row's
    /// retry time and a claim lease's expiry (of sending campaigns); null when there is none. An idle dispatcher sleeps
    /// until then instead of polling.
    /// </summary>
    Task<DateTimeOffset?> NextWakeAsync(CancellationToken cancellationToken);

    /// <summary>Records how attempts ended and updates the campaigns' counters, atomically.</summary>
    Task CompleteAttemptsAsync(IReadOnlyList<SendAttempt> attempts, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Marks sending campaigns with no pending or claimed rows completed.</summary>
    Task<IReadOnlyList<long>> CompleteFinishedAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Changes a campaign's status if the transition is allowed (see <see cref="CampaignTransitions"/>).</summary>
    /// <returns>The campaign after the call; null when it does not exist.</returns>
    /// <exception cref="InvalidCampaignTransitionException">The transition is not allowed from its current status.</exception>
    Task<Campaign?> TransitionAsync(long campaignId, CampaignCommand command, string? reason, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>When recipients first opened the campaign, oldest first (at most <paramref name="limit"/>), for an opens-over-time chart.</summary>
    Task<IReadOnlyList<DateTimeOffset>> GetFirstOpensAsync(long campaignId, int limit, CancellationToken cancellationToken);

    /// <summary>How many of the campaign's ledger rows a dispatcher holds right now, and how many wait for a retry.</summary>
    Task<CampaignBacklog> GetBacklogAsync(long campaignId, CancellationToken cancellationToken);

    /// <summary>The address a ledger row was sent to, or null when the campaign has no such row (to act on a delivery report).</summary>
    Task<string?> GetRecipientEmailAsync(long campaignId, long recipientId, CancellationToken cancellationToken);

    /// <summary>The statuses of these campaigns now (for prompt pause and cancel).</summary>
    Task<IReadOnlyDictionary<long, CampaignStatus>> GetStatusesAsync(IReadOnlyCollection<long> campaignIds, CancellationToken cancellationToken);
}
