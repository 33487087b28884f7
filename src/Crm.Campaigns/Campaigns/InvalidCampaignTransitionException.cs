
namespace Crm.Campaigns.Campaigns;

/// <summary>A pause, resume or cancel that the campaign's status does not allow (answered 409).</summary>
public sealed class InvalidCampaignTransitionException(long campaignId, CampaignStatus current, CampaignCommand command)
    : Exception($"Campaign {campaignId} is {current.ToString().ToLowerInvariant()}: it cannot {command.ToString().ToLowerInvariant()}.")
{
    /// <summary>The campaign's status.</summary>
    public CampaignStatus Current { get; } = current;
}
