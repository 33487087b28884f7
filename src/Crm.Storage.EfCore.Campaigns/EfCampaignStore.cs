using System.Text.Json;
using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Segments;
using Crm.Storage.EfCore.Entities;
using Crm.Storage.EfCore.Campaigns.Entities;
using Microsoft.EntityFrameworkCore;

namespace Crm.Storage.EfCore.Campaigns;

/// <summary>The EF Core <see cref="ICampaignStore"/>: campaigns and the send ledger.</summary>
/// <typeparam name="TContext">A context that applied <c>ApplyCrmCampaigns()</c>.</typeparam>
internal sealed class EfCampaignStore<TContext> : ICampaignStore
    where TContext : DbContext
{
    private readonly IDbContextFactory<TContext> _contexts;

    /// <summary>Creates the store.</summary>
    public EfCampaignStore(IDbContextFactory<TContext> contexts)
    {
        _contexts = contexts;
    }

    /// <inheritdoc />
    public async Task<Campaign> CreateAsync(NewCampaign campaign, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = new CampaignRecord
        {
            Subject = campaign.Subject,
            Body = campaign.Body,
            SegmentCriteria = JsonSerializer.Serialize(campaign.Segment, CampaignsStorageJsonContext.Default.SegmentCriteria),
            Status = CampaignRowStatus.Scheduled,
            CreatedAt = campaign.CreatedAt.ToUniversalTime(),
            ScheduledAt = campaign.ScheduledAt?.ToUniversalTime(),
            FromAddress = campaign.FromAddress,
            FromName = campaign.FromName,
            TrackingBaseUrl = campaign.TrackingBaseUrl,
            ReplyTo = campaign.ReplyTo,
            TrackOpens = campaign.TrackOpens,
            TrackClicks = campaign.TrackClicks,
            LinksJson = campaign.Links.Count == 0 ? null : JsonSerializer.Serialize(campaign.Links, CampaignsStorageJsonContext.Default.IReadOnlyListString),
            TraceParent = campaign.TraceParent,
        };
        db.Add(row);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return ToCampaign(row);
    }

    /// <inheritdoc />
    public async Task<Campaign?> GetAsync(long campaignId, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<CampaignRecord>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == campaignId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToCampaign(row);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Campaign>> ListAsync(int page, int pageSize, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<CampaignRecord>().AsNoTracking().OrderByDescending(c => c.Id)
            .Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(ToCampaign).ToList();
    }

    /// <inheritdoc />
    public async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<CampaignRecord>().CountAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Campaign?> LaunchNextDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var utcNow = now.ToUniversalTime();
        var due = await db.Set<CampaignRecord>().AsNoTracking()
            .Where(c => c.Status == CampaignRowStatus.Scheduled && c.ScheduledAt <= utcNow)
            .OrderBy(c => c.ScheduledAt).ThenBy(c => c.Id)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (due is null)
        {
            return null;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // The status guard makes the launch happen once even when several dispatchers race for it.
        var claimed = await db.Set<CampaignRecord>()
            .Where(c => c.Id == due.Id && c.Status == CampaignRowStatus.Scheduled)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignRowStatus.Launching), cancellationToken).ConfigureAwait(false);
        if (claimed == 0)
        {
            return null;
        }

        var segment = JsonSerializer.Deserialize(due.SegmentCriteria, CampaignsStorageJsonContext.Default.SegmentCriteria) ?? SegmentCriteria.All;
        var (condition, parameters) = SegmentSql.Compile(db, segment, utcNow, firstParameter: 1);
        // Every NOT NULL column is named: the ready context's migrations give the later ones a default, but an
        // integrator's own context (its own migrations, or EnsureCreated) has none.
        var snapshot = $"""
            INSERT INTO {db.Table<CampaignRecipientRecord>()} (campaign_id, contact_id, email, state, attempts, next_attempt_at, lease_until, open_count, click_count, machine_open_count)
            SELECT {'{'}0{'}'}, c.id, c.email, 'pending', 0, 0, 0, 0, 0, 0 FROM {db.Table<ContactRecord>()} c WHERE {condition}
            """;
        var recipients = await db.Database.ExecuteSqlRawAsync(snapshot, [due.Id, .. parameters], cancellationToken).ConfigureAwait(false);
        await db.Set<CampaignRecord>().Where(c => c.Id == due.Id).ExecuteUpdateAsync(
            s => s.SetProperty(c => c.Status, CampaignRowStatus.Sending).SetProperty(c => c.LaunchedAt, utcNow).SetProperty(c => c.RecipientCount, recipients),
            cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return await GetAsync(due.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ClaimedRecipient>> ClaimBatchAsync(int batchSize, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var ids = await db.Database.SqlQueryRaw<long>(ClaimBatchSql(db), owner, leaseUntil.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), batchSize)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (ids.Count == 0)
        {
            return [];
        }

        var rows = await (
            from r in db.Set<CampaignRecipientRecord>().AsNoTracking()
            join c in db.Set<ContactRecord>().AsNoTracking() on r.ContactId equals c.Id
            where EF.Parameter(ids).Contains(r.Id)
            orderby r.Id
            select new { r.Id, r.CampaignId, r.ContactId, r.Email, c.Name, r.Attempts, c.MarketingStatus })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var contactIds = rows.Select(r => r.ContactId).Distinct().ToList();
        var attributes = (await db.Set<ContactAttributeRecord>().AsNoTracking().Where(a => EF.Parameter(contactIds).Contains(a.ContactId))
                .ToListAsync(cancellationToken).ConfigureAwait(false))
            .GroupBy(a => a.ContactId)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, string>)g.ToDictionary(a => a.Name, a => a.Value, StringComparer.Ordinal));
        IReadOnlyDictionary<string, string> none = new Dictionary<string, string>();
        return rows.Select(r => new ClaimedRecipient(
            r.Id, r.CampaignId, r.ContactId, r.Email, r.Name, attributes.GetValueOrDefault(r.ContactId, none), r.Attempts,
            Suppressed: r.MarketingStatus != ContactMarketingStatus.Subscribed)).ToList();
    }

    /// <inheritdoc />
    public async Task<DateTimeOffset?> NextWakeAsync(CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var sending = db.Set<CampaignRecord>().Where(c => c.Status == CampaignRowStatus.Sending).Select(c => c.Id);
        var recipients = db.Set<CampaignRecipientRecord>().AsNoTracking();
        // Ordered, not MIN: SQLite keeps these dates as sortable integers through a converter, which ordering honours.
        var scheduled = await db.Set<CampaignRecord>().AsNoTracking().Where(c => c.Status == CampaignRowStatus.Scheduled && c.ScheduledAt != null)
            .OrderBy(c => c.ScheduledAt).Select(c => c.ScheduledAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        var retry = await recipients.Where(r => r.State == LedgerState.Pending && sending.Contains(r.CampaignId))
            .OrderBy(r => r.NextAttemptAt).Select(r => (long?)r.NextAttemptAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        var lease = await recipients.Where(r => r.State == LedgerState.Sending && sending.Contains(r.CampaignId))
            .OrderBy(r => r.LeaseUntil).Select(r => (long?)r.LeaseUntil).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        DateTimeOffset?[] times = [scheduled, retry is { } r ? DateTimeOffset.FromUnixTimeMilliseconds(r) : null, lease is { } l ? DateTimeOffset.FromUnixTimeMilliseconds(l) : null];
        return times.Where(t => t is not null).Min();
    }

    /// <inheritdoc />
    public async Task CompleteAttemptsAsync(IReadOnlyList<SendAttempt> attempts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        if (attempts.Count == 0)
        {
            return;
        }

        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var utcNow = now.ToUniversalTime();
        var recipients = db.Set<CampaignRecipientRecord>();
        foreach (var campaign in attempts.GroupBy(a => a.CampaignId))
        {
            var campaignId = campaign.Key;
            // Only rows still claimed move: a row whose lease expired and was finished by another dispatcher is not counted twice.
            var sentIds = campaign.Where(a => a.Outcome == SendOutcome.Sent).Select(a => a.RecipientId).ToList();
            var sent = sentIds.Count == 0 ? 0 : await recipients.Where(r => EF.Parameter(sentIds).Contains(r.Id) && r.State == LedgerState.Sending)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, LedgerState.Sent).SetProperty(r => r.SentAt, utcNow).SetProperty(r => r.Attempts, r => r.Attempts + 1).SetProperty(r => r.LeaseOwner, (string?)null), cancellationToken)
                .ConfigureAwait(false);

            var failed = 0;
            foreach (var attempt in campaign.Where(a => a.Outcome == SendOutcome.Failed))
            {
                var error = Truncate(attempt.Error);
                failed += await recipients.Where(r => r.Id == attempt.RecipientId && r.State == LedgerState.Sending)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, LedgerState.Failed).SetProperty(r => r.LastError, error).SetProperty(r => r.Attempts, r => r.Attempts + 1).SetProperty(r => r.LeaseOwner, (string?)null), cancellationToken)
                    .ConfigureAwait(false);
            }

            var skippedIds = campaign.Where(a => a.Outcome == SendOutcome.Skipped).Select(a => a.RecipientId).ToList();
            var skipped = skippedIds.Count == 0 ? 0 : await recipients.Where(r => EF.Parameter(skippedIds).Contains(r.Id) && r.State == LedgerState.Sending)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, LedgerState.Skipped).SetProperty(r => r.LeaseOwner, (string?)null), cancellationToken)
                .ConfigureAwait(false);

            foreach (var attempt in campaign.Where(a => a.Outcome == SendOutcome.Retry))
            {
                var retryAt = (attempt.RetryAt ?? now).ToUnixTimeMilliseconds();
                var error = Truncate(attempt.Error);
                var counts = attempt.Error is null ? 0 : 1;
                await recipients.Where(r => r.Id == attempt.RecipientId && r.State == LedgerState.Sending)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, LedgerState.Pending).SetProperty(r => r.NextAttemptAt, retryAt).SetProperty(r => r.Attempts, r => r.Attempts + counts)
                        .SetProperty(r => r.LastError, r => error ?? r.LastError).SetProperty(r => r.LeaseOwner, (string?)null), cancellationToken)
                    .ConfigureAwait(false);
            }

            // The campaign keeps the latest reason anything went wrong, so "completed, every recipient failed" says why.
            if (campaign.LastOrDefault(a => a.Error is not null && a.Outcome is SendOutcome.Failed or SendOutcome.Retry) is { } latest)
            {
                var error = Truncate(latest.Error);
                await db.Set<CampaignRecord>().Where(c => c.Id == campaignId).ExecuteUpdateAsync(
                    s => s.SetProperty(c => c.LastError, error).SetProperty(c => c.LastErrorAt, utcNow), cancellationToken).ConfigureAwait(false);
            }

            if (sent + failed + skipped > 0)
            {
                await db.Set<CampaignRecord>().Where(c => c.Id == campaignId).ExecuteUpdateAsync(
                    s => s.SetProperty(c => c.SentCount, c => c.SentCount + sent).SetProperty(c => c.FailedCount, c => c.FailedCount + failed).SetProperty(c => c.SkippedCount, c => c.SkippedCount + skipped),
                    cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<long>> CompleteFinishedAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var recipients = db.Set<CampaignRecipientRecord>();
        var finished = await db.Set<CampaignRecord>()
            .Where(c => c.Status == CampaignRowStatus.Sending && !recipients.Any(r => r.CampaignId == c.Id && (r.State == LedgerState.Pending || r.State == LedgerState.Sending)))
            .Select(c => c.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var completed = new List<long>(finished.Count);
        var utcNow = now.ToUniversalTime();
        foreach (var id in finished)
        {
            var changed = await db.Set<CampaignRecord>()
                .Where(c => c.Id == id && c.Status == CampaignRowStatus.Sending && !recipients.Any(r => r.CampaignId == c.Id && (r.State == LedgerState.Pending || r.State == LedgerState.Sending)))
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignRowStatus.Completed).SetProperty(c => c.CompletedAt, utcNow), cancellationToken).ConfigureAwait(false);
            if (changed == 1)
            {
                completed.Add(id);
            }
        }

        return completed;
    }

    /// <inheritdoc />
    public async Task<Campaign?> TransitionAsync(long campaignId, CampaignCommand command, string? reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var row = await db.Set<CampaignRecord>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == campaignId, cancellationToken).ConfigureAwait(false);
            if (row is null)
            {
                return null;
            }

            var current = ParseStatus(row.Status);
            var next = CampaignTransitions.Apply(current, command) ?? throw new InvalidCampaignTransitionException(campaignId, current, command);
            // A campaign paused before its launch has no ledger yet: resuming puts it back in the schedule.
            if (next == CampaignStatus.Sending && row.LaunchedAt is null)
            {
                next = CampaignStatus.Scheduled;
            }

            var nextStatus = Enum.Parse<CampaignRowStatus>(next.ToString());
            var pauseReason = next == CampaignStatus.Paused ? reason : null;
            var changed = await db.Set<CampaignRecord>().Where(c => c.Id == campaignId && c.Status == row.Status)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, nextStatus).SetProperty(c => c.PauseReason, pauseReason), cancellationToken).ConfigureAwait(false);
            if (changed == 1)
            {
                return await GetAsync(campaignId, cancellationToken).ConfigureAwait(false);
            }
        }

        throw new DbUpdateConcurrencyException($"Campaign {campaignId} kept changing while being updated.");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DateTimeOffset>> GetFirstOpensAsync(long campaignId, int limit, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var opens = await db.Set<CampaignRecipientRecord>().AsNoTracking()
            .Where(r => r.CampaignId == campaignId && r.FirstOpenedAt != null)
            .OrderBy(r => r.FirstOpenedAt).Select(r => r.FirstOpenedAt!.Value).Take(limit)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return opens;
    }

    /// <inheritdoc />
    public async Task<CampaignBacklog> GetBacklogAsync(long campaignId, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var rows = db.Set<CampaignRecipientRecord>().AsNoTracking().Where(r => r.CampaignId == campaignId);
        var inFlight = await rows.CountAsync(r => r.State == LedgerState.Sending, cancellationToken).ConfigureAwait(false);
        var deferred = await rows.CountAsync(r => r.State == LedgerState.Pending && r.Attempts > 0, cancellationToken).ConfigureAwait(false);
        return new CampaignBacklog(inFlight, deferred);
    }

    /// <inheritdoc />
    public async Task<string?> GetRecipientEmailAsync(long campaignId, long recipientId, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<CampaignRecipientRecord>().AsNoTracking().Where(r => r.Id == recipientId && r.CampaignId == campaignId)
            .Select(r => r.Email).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<long, CampaignStatus>> GetStatusesAsync(IReadOnlyCollection<long> campaignIds, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var ids = campaignIds.ToList();
        var rows = await db.Set<CampaignRecord>().AsNoTracking().Where(c => ids.Contains(c.Id)).Select(c => new { c.Id, c.Status })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Id, r => ParseStatus(r.Status));
    }

    private static Campaign ToCampaign(CampaignRecord row) => new(
        row.Id,
        row.Subject,
        row.Body,
        JsonSerializer.Deserialize(row.SegmentCriteria, CampaignsStorageJsonContext.Default.SegmentCriteria) ?? SegmentCriteria.All,
        ParseStatus(row.Status),
        row.CreatedAt,
        row.ScheduledAt,
        row.LaunchedAt,
        row.CompletedAt,
        row.FromAddress,
        row.FromName,
        row.TrackingBaseUrl,
        new CampaignStats(row.RecipientCount, row.SentCount, row.FailedCount, row.OpenCount, row.TotalOpens, row.UnsubscribeCount, row.SkippedCount)
        {
            UniqueClicks = row.ClickCount,
            TotalClicks = row.TotalClicks,
            MachineOpens = row.MachineOpens,
            Bounces = row.BounceCount,
            Complaints = row.ComplaintCount,
        },
        row.PauseReason)
    {
        ReplyTo = row.ReplyTo,
        TrackOpens = row.TrackOpens,
        TrackClicks = row.TrackClicks,
        Links = row.LinksJson is null ? [] : JsonSerializer.Deserialize(row.LinksJson, CampaignsStorageJsonContext.Default.IReadOnlyListString) ?? [],
        LastError = row.LastError,
        LastErrorAt = row.LastErrorAt,
        TraceParent = row.TraceParent,
    };

    // Launching lives only inside the launch transaction; readers outside it see Scheduled.
    private static CampaignStatus ParseStatus(CampaignRowStatus status) => status == CampaignRowStatus.Launching
        ? CampaignStatus.Scheduled
        : Enum.Parse<CampaignStatus>(status.ToString());

    private static string? Truncate(string? error) => error is { Length: > 1024 } ? error[..1024] : error;

    /// <summary>
    /// Claims up to {3} ledger rows of sending campaigns, pending and due by {2} (Unix ms) or with a lease that expired
    /// before {2}, for owner {0} until {1}; returns the ids as column <c>Value</c>. The tables are named as the model
    /// names them, so a prefix or schema of an integrator's context applies.
    /// </summary>
    private static string ClaimBatchSql(DbContext db)
    {
        var recipients = db.Table<CampaignRecipientRecord>();
        var campaigns = db.Table<CampaignRecord>();
        return db.GetCrmDatabaseProvider().SkipsLockedRows
            // SKIP LOCKED lets several dispatchers claim disjoint batches at once instead of queueing on the same rows.
            ? $$"""
                UPDATE {{recipients}} SET state = 'sending', lease_owner = {0}, lease_until = {1}
                WHERE id IN (
                    SELECT r.id FROM {{recipients}} r
                    JOIN {{campaigns}} c ON c.id = r.campaign_id AND c.status = 'sending'
                    WHERE (r.state = 'pending' AND r.next_attempt_at <= {2}) OR (r.state = 'sending' AND r.lease_until < {2})
                    ORDER BY r.id LIMIT {3}
                    FOR UPDATE OF r SKIP LOCKED)
                RETURNING id AS "Value"
                """
            // Writers are serialised, so the UPDATE's own subquery is already an atomic claim. Pending rows and expired
            // leases are two index range scans on (state, id); one OR over both would scan the whole ledger.
            : $$"""
                UPDATE {{recipients}} SET state = 'sending', lease_owner = {0}, lease_until = {1}
                WHERE id IN (
                    SELECT id FROM (
                        SELECT r.id FROM {{recipients}} r
                        WHERE r.state = 'pending' AND r.next_attempt_at <= {2}
                          AND r.campaign_id IN (SELECT c.id FROM {{campaigns}} c WHERE c.status = 'sending')
                        ORDER BY r.id LIMIT {3})
                    UNION ALL
                    SELECT id FROM (
                        SELECT r.id FROM {{recipients}} r
                        WHERE r.state = 'sending' AND r.lease_until < {2}
                          AND r.campaign_id IN (SELECT c.id FROM {{campaigns}} c WHERE c.status = 'sending')
                        ORDER BY r.id LIMIT {3})
                    LIMIT {3})
                RETURNING id AS "Value"
                """;
    }
}
