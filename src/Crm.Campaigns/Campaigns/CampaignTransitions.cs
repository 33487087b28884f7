
namespace Crm.Campaigns.Campaigns;

/// <summary>The allowed status changes.</summary>
public static class CampaignTransitions
{
    /// <summary>The status <paramref name="command"/> leads to from <paramref name="current"/>, or null when not allowed.</summary>
    public static CampaignStatus? Apply(CampaignStatus current, CampaignCommand command) => (current, command) switch
    {
        (CampaignStatus.Sending or CampaignStatus.Scheduled, CampaignCommand.Pause) => CampaignStatus.Paused,
        (CampaignStatus.Paused, CampaignCommand.Pause) => CampaignStatus.Paused,
        (CampaignStatus.Paused, CampaignCommand.Resume) => CampaignStatus.Sending,
        (CampaignStatus.Sending, CampaignCommand.Resume) => CampaignStatus.Sending,
        (CampaignStatus.Scheduled or CampaignStatus.Sending or CampaignStatus.Paused, CampaignCommand.Cancel) => CampaignStatus.Cancelled,
        (CampaignStatus.Cancelled, CampaignCommand.Cancel) => CampaignStatus.Cancelled,
        _ => null,
    };
}
