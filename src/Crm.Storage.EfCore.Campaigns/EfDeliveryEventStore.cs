using Crm.Campaigns.Deliverability;
using Crm.Storage.EfCore.Entities;
using Crm.Storage.EfCore.Campaigns.Entities;
using Microsoft.EntityFrameworkCore;

namespace Crm.Storage.EfCore.Campaigns;

/// <summary>
/// The EF Core <see cref="IDeliveryEventStore"/>: one transaction per event; every change is conditional (a status
/// only moves towards suppression, a ledger row counts its bounce or complaint once), so concurrent and repeated
/// reports on any number of instances count once.
/// </summary>
internal sealed class EfDeliveryEventStore<TContext>(IDbContextFactory<TContext> contexts, TimeProvider time) : IDeliveryEventStore
    where TContext : DbContext
{
    private static readonly TimeSpan ReceiptRetention = TimeSpan.FromDays(7);

    public async Task<DeliveryEventOutcome> ApplyAsync(DeliveryEvent deliveryEvent, int softBounceLimit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveryEvent);
        var email = deliveryEvent.Email;
        var at = deliveryEvent.At.ToUniversalTime();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var contacts = db.Set<ContactRecord>().Where(c => c.Email == email);
        var contactId = await contacts.Select(c => (long?)c.Id).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (contactId is null)
        {
            return DeliveryEventOutcome.UnknownAddress;
        }

        if (deliveryEvent is { CampaignId: { } namedCampaign, RecipientId: { } namedRecipient }
            && await db.Set<CampaignRecipientRecord>().Where(r => r.Id == namedRecipient && r.CampaignId == namedCampaign).Select(r => r.Email).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false) != email)
        {
            return DeliveryEventOutcome.Mismatched;
        }

        var suppress = deliveryEvent.Kind != DeliveryEventKind.SoftBounce;
        if (deliveryEvent.Kind == DeliveryEventKind.SoftBounce)
        {
            await contacts.ExecuteUpdateAsync(s => s.SetProperty(c => c.SoftBounces, c => c.SoftBounces + 1), cancellationToken).ConfigureAwait(false);
            suppress = await contacts.Select(c => c.SoftBounces).FirstAsync(cancellationToken).ConfigureAwait(false) >= softBounceLimit;
        }

        if (suppress)
        {
            if (deliveryEvent.Kind == DeliveryEventKind.Complaint)
            {
                // A complaint outranks every other status: this person must never get marketing mail from us again.
                await contacts.Where(c => c.MarketingStatus != ContactMarketingStatus.Complained)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.MarketingStatus, ContactMarketingStatus.Complained).SetProperty(c => c.MarketingStatusChangedAt, at).SetProperty(c => c.UpdatedAt, at), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // A bounce never turns an unsubscribe or a complaint into a bounce.
                await contacts.Where(c => c.MarketingStatus == ContactMarketingStatus.Subscribed || c.MarketingStatus == ContactMarketingStatus.Pending || c.MarketingStatus == ContactMarketingStatus.None)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.MarketingStatus, ContactMarketingStatus.Bounced).SetProperty(c => c.MarketingStatusChangedAt, at).SetProperty(c => c.UpdatedAt, at), cancellationToken).ConfigureAwait(false);
            }
        }

        // The ledger row: the one the event names, else the latest message sent to the address.
        var recipients = db.Set<CampaignRecipientRecord>();
        var row = deliveryEvent is { CampaignId: { } campaignId, RecipientId: { } recipientId }
            ? await recipients.Where(r => r.Id == recipientId && r.CampaignId == campaignId).Select(r => new { r.Id, r.CampaignId }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false)
            : await recipients.Where(r => r.Email == email && r.SentAt != null).OrderByDescending(r => r.SentAt).Select(r => new { r.Id, r.CampaignId }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (row is not null && suppress)
        {
            var target = recipients.Where(r => r.Id == row.Id);
            if (deliveryEvent.Kind == DeliveryEventKind.Complaint)
            {
                if (await target.Where(r => r.ComplainedAt == null).ExecuteUpdateAsync(s => s.SetProperty(r => r.ComplainedAt, at), cancellationToken).ConfigureAwait(false) == 1)
                {
                    await db.Set<CampaignRecord>().Where(c => c.Id == row.CampaignId)
                        .ExecuteUpdateAsync(s => s.SetProperty(c => c.ComplaintCount, c => c.ComplaintCount + 1), cancellationToken).ConfigureAwait(false);
                }
            }
            else if (await target.Where(r => r.BouncedAt == null).ExecuteUpdateAsync(s => s.SetProperty(r => r.BouncedAt, at), cancellationToken).ConfigureAwait(false) == 1)
            {
                await db.Set<CampaignRecord>().Where(c => c.Id == row.CampaignId)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.BounceCount, c => c.BounceCount + 1), cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return suppress ? DeliveryEventOutcome.Suppressed : DeliveryEventOutcome.Counted;
    }

    public async Task<bool> TryRememberAsync(string provider, string eventId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(eventId))
        {
            // An event without an id cannot be deduplicated: it is applied (every change it makes is idempotent anyway).
            return true;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var id = eventId.Length > 256 ? eventId[..256] : eventId;
        db.Add(new WebhookReceiptRecord { Provider = provider, EventId = id, ReceivedAt = now.ToUniversalTime() });
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (await db.Set<WebhookReceiptRecord>().AsNoTracking().AnyAsync(r => r.Provider == provider && r.EventId == id, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            // Not a duplicate: the store itself failed, and that is the caller's error.
            throw;
        }

        // Receipts are only needed while a replay would still pass the signature's time window: prune now and then.
        if (Random.Shared.Next(100) == 0)
        {
            var cutoff = time.GetUtcNow().ToUniversalTime() - ReceiptRetention;
            await db.Set<WebhookReceiptRecord>().Where(r => r.ReceivedAt < cutoff).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }

        return true;
    }
}
