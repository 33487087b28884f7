using Crm.Campaigns.Contacts;
using Crm.Campaigns.Tracking;

namespace Crm.Campaigns.Storage;

/// <summary>Opens, clicks, unsubscribes and the signing key.</summary>
internal sealed partial class InMemoryCampaignStores : ITrackingStore
{
    /// <inheritdoc />
    public Task<int> RecordOpensAsync(IReadOnlyList<OpenEvent> opens, TimeSpan machineOpenWindow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(opens);
        lock (_gate)
        {
            var recorded = 0;
            foreach (var open in opens)
            {
                if (!_ledger.TryGetValue(open.RecipientId, out var row) || row.CampaignId != open.CampaignId)
                {
                    continue;
                }

                var campaign = _campaigns[row.CampaignId];
                if (open.Machine || (row.SentAt is { } sentAt && open.At - sentAt < machineOpenWindow))
                {
                    campaign.MachineOpens++;
                    continue;
                }

                campaign.TotalOpens++;
                if (row.FirstOpenedAt is null)
                {
                    row.FirstOpenedAt = open.At;
                    campaign.UniqueOpens++;
                }

                recorded++;
            }

            return Task.FromResult(recorded);
        }
    }

    /// <inheritdoc />
    public Task<bool> RecordClickAsync(ClickEvent click, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(click);
        lock (_gate)
        {
            if (!_ledger.TryGetValue(click.RecipientId, out var row) || row.CampaignId != click.CampaignId)
            {
                return Task.FromResult(false);
            }

            var campaign = _campaigns[row.CampaignId];
            campaign.TotalClicks++;
            if (row.FirstClickedAt is null)
            {
                row.FirstClickedAt = click.At;
                campaign.UniqueClicks++;
            }

            var key = (click.CampaignId, click.LinkIndex, click.RecipientId);
            _linkClicks[key] = _linkClicks.GetValueOrDefault(key) + 1;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<(int Index, int UniqueClicks, int TotalClicks)>> GetLinkClicksAsync(long campaignId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<(int, int, int)> links = _linkClicks.Where(c => c.Key.CampaignId == campaignId)
                .GroupBy(c => c.Key.LinkIndex)
                .Select(g => (g.Key, g.Count(), g.Sum(c => c.Value)))
                .OrderBy(l => l.Item1)
                .ToList();
            return Task.FromResult(links);
        }
    }

    /// <inheritdoc />
    public Task<bool> UnsubscribeAsync(long campaignId, long recipientId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_ledger.TryGetValue(recipientId, out var row) || row.CampaignId != campaignId)
            {
                return Task.FromResult(false);
            }

            if (row.UnsubscribedAt is null)
            {
                row.UnsubscribedAt = now;
                _campaigns[campaignId].Unsubscribes++;
            }

            var contact = _contacts[(int)row.ContactId - 1];
            if (contact.Status == MarketingStatus.Subscribed)
            {
                contact.SetStatus(MarketingStatus.Unsubscribed, now);
            }

            return Task.FromResult(true);
        }
    }
}
