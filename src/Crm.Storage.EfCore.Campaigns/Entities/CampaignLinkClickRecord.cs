using Crm.Storage.EfCore.Entities;
namespace Crm.Storage.EfCore.Campaigns.Entities;

/// <summary>A row of <c>campaign_link_clicks</c>: one recipient's clicks on one link of a campaign.</summary>
internal sealed class CampaignLinkClickRecord : ICrmRecord
{
    /// <summary>The campaign.</summary>
    public long CampaignId { get; set; }

    /// <summary>The link's index in the campaign's links.</summary>
    public int LinkIndex { get; set; }

    /// <summary>The ledger row of the recipient.</summary>
    public long RecipientId { get; set; }

    /// <summary>How many times they clicked it.</summary>
    public int Clicks { get; set; }

    /// <summary>Their first click on it.</summary>
    public DateTimeOffset FirstClickedAt { get; set; }
}
