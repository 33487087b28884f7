using Crm.Storage.EfCore.Entities;
namespace Crm.Storage.EfCore.Campaigns.Entities;

/// <summary>Where a ledger row (<see cref="CampaignRecipientRecord"/>) stands; stored lower-case (<see cref="LowerCaseEnumConverter{TEnum}"/>).</summary>
internal enum LedgerState
{
    /// <summary>Waiting to be claimed (or to be retried at <c>next_attempt_at</c>).</summary>
    Pending,

    /// <summary>Claimed by a dispatcher until <c>lease_until</c>.</summary>
    Sending,

    /// <summary>Accepted by the SMTP server.</summary>
    Sent,

    /// <summary>Refused for good.</summary>
    Failed,

    /// <summary>Not sent: the contact unsubscribed or bounced after the launch.</summary>
    Skipped,
}
