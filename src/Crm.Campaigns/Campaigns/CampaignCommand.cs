
namespace Crm.Campaigns.Campaigns;

/// <summary>What a person asks of a campaign.</summary>
public enum CampaignCommand
{
    /// <summary>Stop sending for now.</summary>
    Pause,

    /// <summary>Continue a paused campaign.</summary>
    Resume,

    /// <summary>Stop for good.</summary>
    Cancel,
}
