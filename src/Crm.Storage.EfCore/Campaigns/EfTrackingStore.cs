using Crm.Campaigns.Contacts;
using Crm.Campaigns.Tracking;
using Crm.Storage.EfCore.Entities;
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
    private const string SigningKeySetting = "tracking.signing_key";
    private readonly IDbContextFactory<TContext> _contexts;

    /// <summary>Creates the store.</summary>
    public EfTrackingStore(IDbContextFactory<TContext> contexts)
    {
        _contexts = contexts;
    }

    /// <inheritdoc />
    public async Task<int> RecordOpensAsync(IReadOnlyList<OpenEvent> opens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(opens);
        if (opens.Count == 0)
        {
            return 0;
        }

        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var recorded = 0;
        var totals = new Dictionary<long, (int Total, int Unique)>();
        foreach (var group in opens.GroupBy(o => (o.CampaignId, o.RecipientId)))
        {
            var (campaignId, recipientId) = group.Key;
            var count = group.Count();
            var firstAt = group.Min(o => o.At).ToUniversalTime();
            var recipient = db.Set<CampaignRecipientRecord>().Where(r => r.Id == recipientId && r.CampaignId == campaignId);
            if (await recipient.ExecuteUpdateAsync(s => s.SetProperty(r => r.OpenCount, r => r.OpenCount + count), cancellationToken).ConfigureAwait(false) == 0)
            {
                continue;
            }

            var first = await recipient.Where(r => r.FirstOpenedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.FirstOpenedAt, firstAt), cancellationToken).ConfigureAwait(false);
            var (total, unique) = totals.GetValueOrDefault(campaignId);
            totals[campaignId] = (total + count, unique + first);
            recorded += count;
        }

        foreach (var (campaignId, (total, unique)) in totals)
        {
            await db.Set<CampaignRecord>().Where(c => c.Id == campaignId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.TotalOpens, c => c.TotalOpens + total).SetProperty(c => c.OpenCount, c => c.OpenCount + unique), cancellationToken)
                .ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return recorded;
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
        await db.Set<ContactRecord>().Where(c => c.Id == contactId && c.MarketingStatus == MarketingStatus.Subscribed)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.MarketingStatus, MarketingStatus.Unsubscribed).SetProperty(c => c.UpdatedAt, utcNow), cancellationToken)
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public async Task<byte[]> GetOrCreateSigningKeyAsync(byte[] generated, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await CrmSettings.GetOrCreateSecretAsync(db, SigningKeySetting, generated, cancellationToken).ConfigureAwait(false);
    }
}
