using Crm.Storage.EfCore.Entities;
namespace Crm.Storage.EfCore.Campaigns.Entities;

/// <summary>
/// A campaign row's status: the campaign's own statuses plus <see cref="Launching"/>, held only inside the launch
/// transaction. Stored lower-case (<see cref="LowerCaseEnumConverter{TEnum}"/>).
/// </summary>
internal enum CampaignRowStatus
{
    /// <summary>Waiting for its time.</summary>
    Scheduled,

    /// <summary>Being snapshotted into the ledger by one dispatcher.</summary>
    Launching,

    /// <summary>Being sent.</summary>
    Sending,

    /// <summary>Held by a person or by too many failures.</summary>
    Paused,

    /// <summary>Every recipient handled.</summary>
    Completed,

    /// <summary>Stopped for good.</summary>
    Cancelled,
}
