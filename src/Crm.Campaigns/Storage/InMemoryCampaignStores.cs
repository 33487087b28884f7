using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Contacts;
using Crm.Campaigns.Deliverability;
using Crm.Campaigns.Segments;
using Crm.Campaigns.Tracking;

namespace Crm.Campaigns.Storage;

/// <summary>
/// Contacts, campaigns, the ledger and tracking in process memory, behind one lock: for tests and demos. Everything
/// is lost when the process ends; use <c>Crm.Storage.EfCore</c> for anything else.
/// </summary>
internal sealed class InMemoryCampaignStores : ICampaignStore, IContactDirectory, ITrackingStore, IDeliveryEventStore
{
    private readonly Lock _gate = new();
    private readonly List<ContactRow> _contacts = [];
    private readonly Dictionary<long, CampaignRow> _campaigns = [];
    private readonly SortedDictionary<long, LedgerRow> _ledger = [];
    private readonly Dictionary<(long CampaignId, int LinkIndex, long RecipientId), int> _linkClicks = [];
    private readonly HashSet<(string Provider, string EventId)> _receipts = [];

    private byte[]? _signingKey;

    /// <inheritdoc />
    public Task<(int Created, int Updated)> UpsertAsync(IReadOnlyList<ContactUpsert> contacts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        lock (_gate)
        {
            var created = 0;
            var updated = 0;
            foreach (var contact in contacts)
            {
                var row = _contacts.Find(c => c.Email == contact.Email);
                if (row is null)
                {
                    row = new ContactRow { Id = _contacts.Count + 1, Email = contact.Email, CreatedAt = now };
                    _contacts.Add(row);
                    created++;
                }
                else
                {
                    updated++;
                }

                if (contact.Subscribe != false && row.Status == MarketingStatus.None)
                {
                    row.SetStatus(MarketingStatus.Subscribed, now);
                }

                row.Name = contact.Name ?? row.Name;
                row.Phone = contact.Phone ?? row.Phone;
                row.Tags = contact.Tags is null ? row.Tags : [.. contact.Tags];
                row.Attributes = contact.Attributes is null ? row.Attributes : new Dictionary<string, string>(contact.Attributes, StringComparer.Ordinal);
            }

            return Task.FromResult((created, updated));
        }
    }

    /// <inheritdoc />
    public Task<ContactPage> ListAsync(IReadOnlyList<string> tags, int page, int pageSize, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var matching = _contacts.Where(c => tags.All(c.Tags.Contains)).ToList();
            var items = matching.Skip((page - 1) * pageSize).Take(pageSize).Select(ToContact).ToList();
            return Task.FromResult(new ContactPage(items, page, pageSize, matching.Count));
        }
    }

    /// <inheritdoc />
    public Task<Contact?> GetContactAsync(long contactId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var row = _contacts.Find(c => c.Id == contactId);
            return Task.FromResult(row is null ? null : ToContact(row));
        }
    }

    /// <inheritdoc />
    public Task<Contact?> ClearBounceAsync(long contactId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var row = _contacts.Find(c => c.Id == contactId);
            if (row is { Status: MarketingStatus.Bounced })
            {
                row.SetStatus(MarketingStatus.Subscribed, now);
            }

            return Task.FromResult(row is null ? null : ToContact(row));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<(string Tag, int Contacts)>> ListTagsAsync(int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<(string, int)> tags = _contacts.SelectMany(c => c.Tags).GroupBy(t => t)
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(limit)
                .Select(g => (g.Key, g.Count())).ToList();
            return Task.FromResult(tags);
        }
    }

    /// <inheritdoc />
    public Task<int> CountRecipientsAsync(SegmentCriteria segment, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_contacts.Count(c => IsRecipient(c, segment)));
        }
    }

    /// <inheritdoc />
    public Task<(long ContactId, MarketingStatus Status)> RequestSubscriptionAsync(string email, string? name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var existing = _contacts.Find(c => c.Email == email);
            if (existing is not null)
            {
                return Task.FromResult((existing.Id, existing.Status));
            }

            var created = new ContactRow { Id = _contacts.Count + 1, Email = email, Name = name, CreatedAt = now };
            created.SetStatus(MarketingStatus.Pending, now);
            _contacts.Add(created);
            return Task.FromResult((created.Id, MarketingStatus.Pending));
        }
    }

    /// <inheritdoc />
    public Task<bool> ConfirmSubscriptionAsync(long contactId, IReadOnlyList<string> tags, DateTimeOffset requestedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var contact = _contacts.Find(c => c.Id == contactId);
            if (contact is null || contact.StatusChangedAt > requestedAt)
            {
                return Task.FromResult(false);
            }

            contact.SetStatus(MarketingStatus.Subscribed, now);
            contact.SoftBounces = 0;
            contact.Tags = [.. contact.Tags.Union(tags, StringComparer.Ordinal)];
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<Campaign> CreateAsync(NewCampaign campaign, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        lock (_gate)
        {
            var row = new CampaignRow { Id = _campaigns.Count + 1, New = campaign, Status = CampaignStatus.Scheduled };
            _campaigns.Add(row.Id, row);
            return Task.FromResult(ToCampaign(row));
        }
    }

    /// <inheritdoc />
    public Task<Campaign?> GetAsync(long campaignId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_campaigns.TryGetValue(campaignId, out var row) ? ToCampaign(row) : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Campaign>> ListAsync(int page, int pageSize, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<Campaign> list = _campaigns.Values.OrderByDescending(c => c.Id).Skip((page - 1) * pageSize).Take(pageSize).Select(ToCampaign).ToList();
            return Task.FromResult(list);
        }
    }

    /// <inheritdoc />
    public Task<int> CountAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_campaigns.Count);
        }
    }

    /// <inheritdoc />
    public Task<Campaign?> LaunchNextDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var due = _campaigns.Values.Where(c => c.Status == CampaignStatus.Scheduled && c.New.ScheduledAt <= now)
                .OrderBy(c => c.New.ScheduledAt).ThenBy(c => c.Id).FirstOrDefault();
            if (due is null)
            {
                return Task.FromResult<Campaign?>(null);
            }

            foreach (var contact in _contacts.Where(c => IsRecipient(c, due.New.Segment)))
            {
                var id = _ledger.Count + 1;
                _ledger.Add(id, new LedgerRow { Id = id, CampaignId = due.Id, ContactId = contact.Id, Email = contact.Email! });
                due.Recipients++;
            }

            due.Status = CampaignStatus.Sending;
            due.LaunchedAt = now;
            return Task.FromResult<Campaign?>(ToCampaign(due));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ClaimedRecipient>> ClaimBatchAsync(int batchSize, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var claimed = new List<ClaimedRecipient>();
            foreach (var row in _ledger.Values)
            {
                if (claimed.Count == batchSize)
                {
                    break;
                }

                var claimable = (row.State == "pending" && row.NextAttemptAt <= now) || (row.State == "sending" && row.LeaseUntil < now);
                if (!claimable || _campaigns[row.CampaignId].Status != CampaignStatus.Sending)
                {
                    continue;
                }

                row.State = "sending";
                row.LeaseUntil = leaseUntil;
                var contact = _contacts[(int)row.ContactId - 1];
                claimed.Add(new ClaimedRecipient(row.Id, row.CampaignId, row.ContactId, row.Email, contact.Name, new Dictionary<string, string>(contact.Attributes), row.Attempts,
                    Suppressed: contact.Status != MarketingStatus.Subscribed));
            }

            return Task.FromResult<IReadOnlyList<ClaimedRecipient>>(claimed);
        }
    }

    /// <inheritdoc />
    public Task CompleteAttemptsAsync(IReadOnlyList<SendAttempt> attempts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        lock (_gate)
        {
            foreach (var attempt in attempts)
            {
                var row = _ledger[attempt.RecipientId];
                if (row.State != "sending")
                {
                    continue;
                }

                var campaign = _campaigns[row.CampaignId];
                if (attempt.Error is not null && attempt.Outcome is SendOutcome.Failed or SendOutcome.Retry)
                {
                    campaign.LastError = attempt.Error.Length > 1024 ? attempt.Error[..1024] : attempt.Error;
                    campaign.LastErrorAt = now;
                }

                switch (attempt.Outcome)
                {
                    case SendOutcome.Sent:
                        row.State = "sent";
                        row.SentAt = now;
                        row.Attempts++;
                        campaign.Sent++;
                        break;
                    case SendOutcome.Failed:
                        row.State = "failed";
                        row.Attempts++;
                        campaign.Failed++;
                        break;
                    case SendOutcome.Skipped:
                        row.State = "skipped";
                        campaign.Skipped++;
                        break;
                    default:
                        row.State = "pending";
                        row.NextAttemptAt = attempt.RetryAt ?? now;
                        row.Attempts += attempt.Error is null ? 0 : 1;
                        break;
                }
            }

            return Task.CompletedTask;
        }
    }

    /// <inheritdoc />
    public Task<DateTimeOffset?> NextWakeAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var times = _campaigns.Values.Where(c => c.Status == CampaignStatus.Scheduled && c.New.ScheduledAt is not null).Select(c => c.New.ScheduledAt!.Value)
                .Concat(_ledger.Values.Where(r => _campaigns[r.CampaignId].Status == CampaignStatus.Sending && r.State is "pending" or "sending")
                    .Select(r => r.State == "pending" ? r.NextAttemptAt : r.LeaseUntil))
                .ToList();
            return Task.FromResult(times.Count == 0 ? (DateTimeOffset?)null : times.Min());
        }
    }

    public Task<IReadOnlyList<long>> CompleteFinishedAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var finished = _campaigns.Values
                .Where(c => c.Status == CampaignStatus.Sending && !_ledger.Values.Any(r => r.CampaignId == c.Id && r.State is "pending" or "sending"))
                .ToList();
            foreach (var campaign in finished)
            {
                campaign.Status = CampaignStatus.Completed;
                campaign.CompletedAt = now;
            }

            return Task.FromResult<IReadOnlyList<long>>(finished.Select(c => c.Id).ToList());
        }
    }

    /// <inheritdoc />
    public Task<Campaign?> TransitionAsync(long campaignId, CampaignCommand command, string? reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_campaigns.TryGetValue(campaignId, out var row))
            {
                return Task.FromResult<Campaign?>(null);
            }

            var next = CampaignTransitions.Apply(row.Status, command) ?? throw new InvalidCampaignTransitionException(campaignId, row.Status, command);
            row.Status = next == CampaignStatus.Sending && row.LaunchedAt is null ? CampaignStatus.Scheduled : next;
            row.PauseReason = next == CampaignStatus.Paused ? reason : null;
            return Task.FromResult<Campaign?>(ToCampaign(row));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DateTimeOffset>> GetFirstOpensAsync(long campaignId, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<DateTimeOffset> opens = _ledger.Values.Where(r => r.CampaignId == campaignId && r.FirstOpenedAt is not null)
                .Select(r => r.FirstOpenedAt!.Value).Order().Take(limit).ToList();
            return Task.FromResult(opens);
        }
    }

    /// <inheritdoc />
    public Task<CampaignBacklog> GetBacklogAsync(long campaignId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var rows = _ledger.Values.Where(r => r.CampaignId == campaignId).ToList();
            return Task.FromResult(new CampaignBacklog(rows.Count(r => r.State == "sending"), rows.Count(r => r.State == "pending" && r.Attempts > 0)));
        }
    }

    /// <inheritdoc />
    public Task<string?> GetRecipientEmailAsync(long campaignId, long recipientId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_ledger.TryGetValue(recipientId, out var row) && row.CampaignId == campaignId ? row.Email : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<long, CampaignStatus>> GetStatusesAsync(IReadOnlyCollection<long> campaignIds, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyDictionary<long, CampaignStatus> statuses = campaignIds.Where(_campaigns.ContainsKey).ToDictionary(id => id, id => _campaigns[id].Status);
            return Task.FromResult(statuses);
        }
    }

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
    public Task<DeliveryEventOutcome> ApplyAsync(DeliveryEvent deliveryEvent, int softBounceLimit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveryEvent);
        lock (_gate)
        {
            var contact = _contacts.FirstOrDefault(c => c.Email == deliveryEvent.Email);
            if (contact is null)
            {
                return Task.FromResult(DeliveryEventOutcome.UnknownAddress);
            }

            if (deliveryEvent is { CampaignId: { } namedCampaign, RecipientId: { } namedRecipient }
                && (_ledger.GetValueOrDefault(namedRecipient) is not { } quoted || quoted.CampaignId != namedCampaign || quoted.Email != deliveryEvent.Email))
            {
                return Task.FromResult(DeliveryEventOutcome.Mismatched);
            }

            var suppress = deliveryEvent.Kind != DeliveryEventKind.SoftBounce || ++contact.SoftBounces >= softBounceLimit;
            if (!suppress)
            {
                return Task.FromResult(DeliveryEventOutcome.Counted);
            }

            if (deliveryEvent.Kind == DeliveryEventKind.Complaint)
            {
                contact.SetStatus(MarketingStatus.Complained, deliveryEvent.At);
            }
            else if (contact.Status is MarketingStatus.Subscribed or MarketingStatus.Pending or MarketingStatus.None)
            {
                contact.SetStatus(MarketingStatus.Bounced, deliveryEvent.At);
            }

            var row = deliveryEvent is { CampaignId: { } campaignId, RecipientId: { } recipientId }
                ? _ledger.GetValueOrDefault(recipientId) is { } named && named.CampaignId == campaignId ? named : null
                : _ledger.Values.Where(r => r.Email == deliveryEvent.Email && r.SentAt is not null).MaxBy(r => r.SentAt);
            if (row is not null && deliveryEvent.Kind == DeliveryEventKind.Complaint && row.ComplainedAt is null)
            {
                row.ComplainedAt = deliveryEvent.At;
                _campaigns[row.CampaignId].Complaints++;
            }
            else if (row is not null && deliveryEvent.Kind != DeliveryEventKind.Complaint && row.BouncedAt is null)
            {
                row.BouncedAt = deliveryEvent.At;
                _campaigns[row.CampaignId].Bounces++;
            }

            return Task.FromResult(DeliveryEventOutcome.Suppressed);
        }
    }

    /// <inheritdoc />
    public Task<bool> TryRememberAsync(string provider, string eventId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(string.IsNullOrEmpty(eventId) || _receipts.Add((provider, eventId)));
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

    /// <inheritdoc />
    public Task<byte[]> GetOrCreateSigningKeyAsync(byte[] generated, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _signingKey ??= generated;
            return Task.FromResult(_signingKey);
        }
    }

    private static bool IsRecipient(ContactRow contact, SegmentCriteria segment)
        => contact.Email is not null
            && contact.Status == MarketingStatus.Subscribed
            && (segment.Tags ?? []).All(contact.Tags.Contains)
            && (segment.Attributes ?? new Dictionary<string, string>()).All(a => contact.Attributes.TryGetValue(a.Key, out var value) && value == a.Value)
            && (segment.CreatedAfter is not { } after || contact.CreatedAt > after)
            && (segment.CreatedBefore is not { } before || contact.CreatedAt < before);

    private static Contact ToContact(ContactRow row)
        => new(row.Id, row.Email, row.Name, row.Phone, row.Tags.Order(StringComparer.Ordinal).ToList(), new Dictionary<string, string>(row.Attributes), row.Status, row.CreatedAt);

    private static Campaign ToCampaign(CampaignRow row) => new(
        row.Id, row.New.Subject, row.New.Body, row.New.Segment, row.Status, row.New.CreatedAt, row.New.ScheduledAt, row.LaunchedAt, row.CompletedAt,
        row.New.FromAddress, row.New.FromName, row.New.TrackingBaseUrl,
        new CampaignStats(row.Recipients, row.Sent, row.Failed, row.UniqueOpens, row.TotalOpens, row.Unsubscribes, row.Skipped)
        {
            UniqueClicks = row.UniqueClicks,
            TotalClicks = row.TotalClicks,
            MachineOpens = row.MachineOpens,
            Bounces = row.Bounces,
            Complaints = row.Complaints,
        },
        row.PauseReason)
    {
        ReplyTo = row.New.ReplyTo,
        TrackOpens = row.New.TrackOpens,
        TrackClicks = row.New.TrackClicks,
        Links = row.New.Links,
        LastError = row.LastError,
        LastErrorAt = row.LastErrorAt,
        TraceParent = row.New.TraceParent,
    };

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
