using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Contacts;

namespace Crm.Campaigns.Storage;

/// <summary>
/// Contacts, campaigns, the ledger and tracking in process memory, behind one lock: for tests and demos. Everything
/// is lost when the process ends; use <c>Crm.Storage.EfCore</c> for anything else.
/// </summary>
internal sealed partial class InMemoryCampaignStores
{
    /// <summary>Creates empty stores; <paramref name="time"/> is what engagement's <c>withinDays</c> counts back from.</summary>
    public InMemoryCampaignStores(TimeProvider time)
    {
        _time = time;
    }

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly List<ContactRow> _contacts = [];
    private readonly Dictionary<long, CampaignRow> _campaigns = [];
    private readonly SortedDictionary<long, LedgerRow> _ledger = [];
    private readonly Dictionary<(long CampaignId, int LinkIndex, long RecipientId), int> _linkClicks = [];
    private readonly HashSet<(string Provider, string EventId)> _receipts = [];


    private sealed class ContactRow
    {
        public long Id { get; init; }

        public string? Email { get; init; }

        public string? Name { get; set; }

        public string? Phone { get; set; }

        public List<string> Tags { get; set; } = [];

        public Dictionary<string, string> Attributes { get; set; } = new(StringComparer.Ordinal);

        public MarketingStatus Status { get; private set; } = MarketingStatus.None;

        public DateTimeOffset? StatusChangedAt { get; private set; }

        public int SoftBounces { get; set; }

        public void SetStatus(MarketingStatus status, DateTimeOffset at)
        {
            Status = status;
            StatusChangedAt = at;
        }

        public DateTimeOffset CreatedAt { get; init; }
    }

    private sealed class CampaignRow
    {
        public long Id { get; init; }

        public required NewCampaign New { get; init; }

        public CampaignStatus Status { get; set; }

        public string? PauseReason { get; set; }

        public string? LastError { get; set; }

        public DateTimeOffset? LastErrorAt { get; set; }

        public DateTimeOffset? LaunchedAt { get; set; }

        public DateTimeOffset? CompletedAt { get; set; }

        public int Recipients { get; set; }

        public int Sent { get; set; }

        public int Failed { get; set; }

        public int Skipped { get; set; }

        public int UniqueOpens { get; set; }

        public int TotalOpens { get; set; }

        public int Unsubscribes { get; set; }

        public int UniqueClicks { get; set; }

        public int TotalClicks { get; set; }

        public int MachineOpens { get; set; }

        public int Bounces { get; set; }

        public int Complaints { get; set; }
    }

    private sealed class LedgerRow
    {
        public long Id { get; init; }

        public long CampaignId { get; init; }

        public long ContactId { get; init; }

        public string Email { get; init; } = "";

        public string State { get; set; } = "pending";

        public int Attempts { get; set; }

        public DateTimeOffset NextAttemptAt { get; set; } = DateTimeOffset.MinValue;

        public DateTimeOffset LeaseUntil { get; set; }

        public DateTimeOffset? FirstOpenedAt { get; set; }

        public DateTimeOffset? SentAt { get; set; }

        public DateTimeOffset? FirstClickedAt { get; set; }

        public DateTimeOffset? BouncedAt { get; set; }

        public DateTimeOffset? ComplainedAt { get; set; }

        public DateTimeOffset? UnsubscribedAt { get; set; }
    }
}
