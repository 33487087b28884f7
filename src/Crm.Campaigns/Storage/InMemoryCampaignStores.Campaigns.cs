using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Contacts;

namespace Crm.Campaigns.Storage;

/// <summary>Campaigns and their send ledger: launch, claims, outcomes, status changes.</summary>
internal sealed partial class InMemoryCampaignStores : ICampaignStore
{
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

            foreach (var contact in _contacts.Where(c => IsRecipient(c, due.New.Segment, now)).ToList())
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
}
