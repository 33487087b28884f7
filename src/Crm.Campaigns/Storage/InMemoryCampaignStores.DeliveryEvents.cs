using Crm.Campaigns.Contacts;
using Crm.Campaigns.Deliverability;

namespace Crm.Campaigns.Storage;

/// <summary>Bounces and complaints, and the webhook event ids already applied.</summary>
internal sealed partial class InMemoryCampaignStores : IDeliveryEventStore
{
    /// <inheritdoc />
    public Task<DeliveryEventOutcome> ApplyAsync(DeliveryEvent deliveryEvent, int softBounceLimit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveryEvent);
        lock (_gate)
        {
            var contact = _contacts.FirstOrDefault(c => c.Email == deliveryEvent.Email);
            if (contact is null)
            {
                return Task.FromResult(DeliveryEventOutcome.UnknownAddress);
            }

            if (deliveryEvent is { CampaignId: { } namedCampaign, RecipientId: { } namedRecipient }
                && (_ledger.GetValueOrDefault(namedRecipient) is not { } quoted || quoted.CampaignId != namedCampaign || quoted.Email != deliveryEvent.Email))
            {
                return Task.FromResult(DeliveryEventOutcome.Mismatched);
            }

            var suppress = deliveryEvent.Kind != DeliveryEventKind.SoftBounce || ++contact.SoftBounces >= softBounceLimit;
            if (!suppress)
            {
                return Task.FromResult(DeliveryEventOutcome.Counted);
            }

            if (deliveryEvent.Kind == DeliveryEventKind.Complaint)
            {
                contact.SetStatus(MarketingStatus.Complained, deliveryEvent.At);
            }
            else if (contact.Status is MarketingStatus.Subscribed or MarketingStatus.Pending or MarketingStatus.None)
            {
                contact.SetStatus(MarketingStatus.Bounced, deliveryEvent.At);
            }

            var row = deliveryEvent is { CampaignId: { } campaignId, RecipientId: { } recipientId }
                ? _ledger.GetValueOrDefault(recipientId) is { } named && named.CampaignId == campaignId ? named : null
                : _ledger.Values.Where(r => r.Email == deliveryEvent.Email && r.SentAt is not null).MaxBy(r => r.SentAt);
            if (row is not null && deliveryEvent.Kind == DeliveryEventKind.Complaint && row.ComplainedAt is null)
            {
                row.ComplainedAt = deliveryEvent.At;
                _campaigns[row.CampaignId].Complaints++;
            }
            else if (row is not null && deliveryEvent.Kind != DeliveryEventKind.Complaint && row.BouncedAt is null)
            {
                row.BouncedAt = deliveryEvent.At;
                _campaigns[row.CampaignId].Bounces++;
            }

            return Task.FromResult(DeliveryEventOutcome.Suppressed);
        }
    }

    /// <inheritdoc />
    public Task<bool> TryRememberAsync(string provider, string eventId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(string.IsNullOrEmpty(eventId) || _receipts.Add((provider, eventId)));
        }
    }
}
