using Crm.Campaigns.Contacts;
using Crm.Campaigns.Segments;

namespace Crm.Campaigns.Storage;

/// <summary>The contact directory: imports, consent, suppression and segment counts.</summary>
internal sealed partial class InMemoryCampaignStores : IContactDirectory
{
    /// <inheritdoc />
    public Task<ContactUpsertResult> UpsertAsync(IReadOnlyList<ContactUpsert> contacts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        lock (_gate)
        {
            var created = 0;
            var createdContacts = new List<CreatedContact>();
            var updated = 0;
            foreach (var contact in contacts)
            {
                var row = _contacts.Find(c => c.Email == contact.Email);
                if (row is null)
                {
                    row = new ContactRow { Id = _contacts.Count + 1, Email = contact.Email, CreatedAt = now };
                    _contacts.Add(row);
                    created++;
                    createdContacts.Add(new CreatedContact(row.Id, contact.Email));
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

            return Task.FromResult(new ContactUpsertResult(created, updated, createdContacts));
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
            var now = _time.GetUtcNow();
            return Task.FromResult(_contacts.Count(c => IsRecipient(c, segment, now)));
        }
    }

    /// <inheritdoc />
    public Task<(long ContactId, MarketingStatus Status, bool Created)> RequestSubscriptionAsync(string email, string? name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var existing = _contacts.Find(c => c.Email == email);
            if (existing is not null)
            {
                return Task.FromResult((existing.Id, existing.Status, false));
            }

            var created = new ContactRow { Id = _contacts.Count + 1, Email = email, Name = name, CreatedAt = now };
            created.SetStatus(MarketingStatus.Pending, now);
            _contacts.Add(created);
            return Task.FromResult((created.Id, MarketingStatus.Pending, true));
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

    private bool IsRecipient(ContactRow contact, SegmentCriteria segment, DateTimeOffset now)
        => contact.Email is not null
            && contact.Status == MarketingStatus.Subscribed
            && Matches(contact, segment, now)
            && (segment.AnyOf is not { Count: > 0 } groups || groups.Any(g => Matches(contact, g, now)));

    private bool Matches(ContactRow contact, SegmentCriteria segment, DateTimeOffset now)
        => (segment.Tags ?? []).All(contact.Tags.Contains)
            && (segment.Attributes ?? new Dictionary<string, string>()).All(a => contact.Attributes.TryGetValue(a.Key, out var value) && value == a.Value)
            && (segment.CreatedAfter is not { } after || contact.CreatedAt > after)
            && (segment.CreatedBefore is not { } before || contact.CreatedAt < before)
            && (segment.Engagement ?? []).All(e => Engaged(contact, e, now) != e.IsNegated);

    /// <summary>Whether the contact did what the condition names (ignoring its <c>not_</c>): people's opens only.</summary>
    private bool Engaged(ContactRow contact, EngagementCondition condition, DateTimeOffset now)
        => _ledger.Values.Any(r => r.ContactId == contact.Id && r.State == "sent"
            && (condition.CampaignId is not { } campaignId || r.CampaignId == campaignId)
            && (condition.WithinDays is not { } days || r.SentAt >= now.AddDays(-days))
            && condition.Action switch
            {
                "opened" => r.FirstOpenedAt is not null,
                "clicked" when condition.Link is { } link => _linkClicks.ContainsKey((r.CampaignId, link, r.Id)),
                "clicked" => r.FirstClickedAt is not null,
                _ => true,
            });

    private static Contact ToContact(ContactRow row)
        => new(row.Id, row.Email, row.Name, row.Phone, row.Tags.Order(StringComparer.Ordinal).ToList(), new Dictionary<string, string>(row.Attributes), row.Status, row.CreatedAt);
}
