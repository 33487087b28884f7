using Crm.Storage.EfCore.Entities;
namespace Crm.Storage.EfCore.Campaigns.Entities;

/// <summary>A row of <c>campaign_recipients</c>: the send ledger, one per (campaign, contact) and (campaign, address).</summary>
internal sealed class CampaignRecipientRecord : ICrmRecord
{
    /// <summary>The id (names the recipient in tracking tokens).</summary>
    public long Id { get; set; }

    /// <summary>The campaign.</summary>
    public long CampaignId { get; set; }

    /// <summary>The contact.</summary>
    public long ContactId { get; set; }

    /// <summary>The address at launch.</summary>
    public string Email { get; set; } = "";

    /// <summary><c>pending</c>, <c>sending</c>, <c>sent</c>, <c>failed</c> or <c>skipped</c>.</summary>
    public LedgerState State { get; set; } = LedgerState.Pending;

    /// <summary>Send attempts so far.</summary>
    public int Attempts { get; set; }

    /// <summary>The last failure.</summary>
    public string? LastError { get; set; }

    /// <summary>Not before this time (Unix ms) is a pending row claimed.</summary>
    public long NextAttemptAt { get; set; }

    /// <summary>Until this time (Unix ms) the claim holds; after it another dispatcher may take the row.</summary>
    public long LeaseUntil { get; set; }

    /// <summary>Which dispatcher holds the claim.</summary>
    public string? LeaseOwner { get; set; }

    /// <summary>When the SMTP server accepted it.</summary>
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>The first open.</summary>
    public DateTimeOffset? FirstOpenedAt { get; set; }

    /// <summary>All opens.</summary>
    public int OpenCount { get; set; }

    /// <summary>When this recipient unsubscribed through this campaign.</summary>
    public DateTimeOffset? UnsubscribedAt { get; set; }

    public DateTimeOffset? FirstClickedAt { get; set; }

    public int ClickCount { get; set; }

    public int MachineOpenCount { get; set; }

    public DateTimeOffset? BouncedAt { get; set; }

    public DateTimeOffset? ComplainedAt { get; set; }
}
