using System.Collections.Concurrent;
using Crm.Campaigns.Campaigns;

namespace Crm.Campaigns.Tracking;

/// <summary>
/// The tracked links of campaigns, read from the store once per campaign: a campaign's links never change after it is
/// created, and a click must redirect without a database read in the common case.
/// </summary>
internal sealed class CampaignLinks(ICampaignStore store)
{
    private readonly ConcurrentDictionary<long, IReadOnlyList<string>> _links = new();

    /// <summary>The campaign's links by index, or null when there is no such campaign.</summary>
    public async ValueTask<IReadOnlyList<string>?> GetAsync(long campaignId, CancellationToken cancellationToken)
    {
        if (_links.TryGetValue(campaignId, out var cached))
        {
            return cached;
        }

        var campaign = await store.GetAsync(campaignId, cancellationToken).ConfigureAwait(false);
        if (campaign is null)
        {
            return null;
        }

        // Bounded: a host serves the clicks of the campaigns it sent, and a forged id never gets here (the token failed).
        if (_links.Count > 10_000)
        {
            _links.Clear();
        }

        return _links[campaignId] = campaign.Links;
    }
}
