using Crm.Campaigns.Tracking;
using Crm.Storage.EfCore.Entities;
using Crm.Storage.EfCore.Campaigns.Entities;
using Microsoft.EntityFrameworkCore;

namespace Crm.Storage.EfCore.Campaigns;

/// <summary>
/// The EF Core <see cref="ITrackingStore"/>. Every count is an in-database increment guarded by a condition
/// (<c>first_opened_at IS NULL</c>, <c>unsubscribed_at IS NULL</c>), so concurrent hits on any number of
/// instances lose no increment and count a first open or an unsubscribe once.
/// </summary>
/// <typeparam name="TContext">A context that applied <c>ApplyCrmCampaigns()</c>.</typeparam>
internal sealed class EfTrackingStore<TContext> : ITrackingStore
    where TContext : DbContext
{
    private readonly IDbContextFactory<TContext> _contexts;

    /// <summary>Creates the store.</summary>
    public EfTrackingStore(IDbContextFactory<TContext> contexts)
    {
        _contexts = contexts;
    }

    /// <inheritdoc />
    public async Task<int> RecordOpensAsync(IReadOnlyList<OpenEvent> opens, TimeSpan machineOpenWindow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(opens);
        if (opens.Count == 0)
        {
            return 0;
        }

        var machineWindow = machineOpenWindow;
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var recorded = 0;
        var totals = new Dictionary<long, (int Total, int Unique, int Machine)>();
        foreach (var group in opens.GroupBy(o => (o.CampaignId, o.RecipientId)))
        {
            var (campaignId, recipientId) = group.Key;
            var recipient = db.Set<CampaignRecipientRecord>().Where(r => r.Id == recipientId && r.CampaignId == campaignId);
            var sent = await recipient.Select(r => new { r.SentAt }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (sent is null)
            {
                continue;
            }

            // Flagged by the request (a proxy or scanner), or too soon after the send for a person to have opened it.
            var machine = group.Count(o => o.Machine || (sent.SentAt is { } sentAt && o.At.ToUniversalTime() - sentAt < machineWindow));
            var human = group.Where(o => !o.Machine && !(sent.SentAt is { } at && o.At.ToUniversalTime() - at < machineWindow)).ToList();
            await recipient.ExecuteUpdateAsync(
                s => s.SetProperty(r => r.OpenCount, r => r.OpenCount + human.Count).SetProperty(r => r.MachineOpenCount, r => r.MachineOpenCount + machine),
                cancellationToken).ConfigureAwait(false);
            var first = 0;
            if (human.Count > 0)
            {
                var firstAt = human.Min(o => o.At).ToUniversalTime();
                first = await recipient.Where(r => r.FirstOpenedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.FirstOpenedAt, firstAt), cancellationToken).ConfigureAwait(false);
            }

            var (total, unique, machines) = totals.GetValueOrDefault(campaignId);
            totals[campaignId] = (total + human.Count, unique + first, machines + machine);
            recorded += human.Count;
        }

        foreach (var (campaignId, (total, unique, machine)) in totals)
        {
            await db.Set<CampaignRecord>().Where(c => c.Id == campaignId)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(c => c.TotalOpens, c => c.TotalOpens + total).SetProperty(c => c.OpenCount, c => c.OpenCount + unique)
                        .SetProperty(c => c.MachineOpens, c => c.MachineOpens + machine),
                    cancellationToken)
                .ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return recorded;
    }

    /// <inheritdoc />
    public async Task<bool> RecordClickAsync(ClickEvent click, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(click);
        var at = click.At.ToUniversalTime();
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var recipient = db.Set<CampaignRecipientRecord>().Where(r => r.Id == click.RecipientId && r.CampaignId == click.CampaignId);
            if (await recipient.ExecuteUpdateAsync(s => s.SetProperty(r => r.ClickCount, r => r.ClickCount + 1), cancellationToken).ConfigureAwait(false) == 0)
            {
                return false;
            }

            var firstOnCampaign = await recipient.Where(r => r.FirstClickedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.FirstClickedAt, at), cancellationToken).ConfigureAwait(false);
            var link = db.Set<CampaignLinkClickRecord>()
                .Where(c => c.CampaignId == click.CampaignId && c.LinkIndex == click.LinkIndex && c.RecipientId == click.RecipientId);
            if (await link.ExecuteUpdateAsync(s => s.SetProperty(c => c.Clicks, c => c.Clicks + 1), cancellationToken).ConfigureAwait(false) == 0)
            {
                db.Add(new CampaignLinkClickRecord { CampaignId = click.CampaignId, LinkIndex = click.LinkIndex, RecipientId = click.RecipientId, Clicks = 1, FirstClickedAt = at });
            }

            await db.Set<CampaignRecord>().Where(c => c.Id == click.CampaignId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.TotalClicks, c => c.TotalClicks + 1).SetProperty(c => c.ClickCount, c => c.ClickCount + firstOnCampaign), cancellationToken)
                .ConfigureAwait(false);
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Two first clicks on one link raced to insert its row; the retry increments the winner's.
            }
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<(int Index, int UniqueClicks, int TotalClicks)>> GetLinkClicksAsync(long campaignId, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<CampaignLinkClickRecord>().AsNoTracking().Where(c => c.CampaignId == campaignId)
            .GroupBy(c => c.LinkIndex)
            .Select(g => new { Index = g.Key, Unique = g.Count(), Total = g.Sum(c => c.Clicks) })
            .OrderBy(r => r.Index)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(r => (r.Index, r.Unique, r.Total)).ToList();
    }

    /// <inheritdoc />
    public async Task<bool> UnsubscribeAsync(long campaignId, long recipientId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var utcNow = now.ToUniversalTime();
        var contactId = await db.Set<CampaignRecipientRecord>().Where(r => r.Id == recipientId && r.CampaignId == campaignId)
            .Select(r => (long?)r.ContactId).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (contactId is null)
        {
            return false;
        }

        var first = await db.Set<CampaignRecipientRecord>().Where(r => r.Id == recipientId && r.UnsubscribedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.UnsubscribedAt, utcNow), cancellationToken).ConfigureAwait(false);
        if (first == 1)
        {
            await db.Set<CampaignRecord>().Where(c => c.Id == campaignId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.UnsubscribeCount, c => c.UnsubscribeCount + 1), cancellationToken).ConfigureAwait(false);
        }

        // A bounced address stays bounced; anyone else is now unsubscribed from all marketing mail.
        await db.Set<ContactRecord>().Where(c => c.Id == contactId && c.MarketingStatus == ContactMarketingStatus.Subscribed)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.MarketingStatus, ContactMarketingStatus.Unsubscribed).SetProperty(c => c.MarketingStatusChangedAt, utcNow).SetProperty(c => c.UpdatedAt, utcNow), cancellationToken)
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }
}
