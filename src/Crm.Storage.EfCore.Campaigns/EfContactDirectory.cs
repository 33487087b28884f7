using Crm.Campaigns.Contacts;
using Crm.Campaigns.Segments;
using Crm.Storage.EfCore.Entities;
using Crm.Storage.EfCore.Campaigns.Entities;
using Microsoft.EntityFrameworkCore;

namespace Crm.Storage.EfCore.Campaigns;

/// <summary>The EF Core <see cref="IContactDirectory"/>, over the same <c>contacts</c> table the channels fill.</summary>
/// <typeparam name="TContext">A context that applied <c>ApplyCrmCampaigns()</c>.</typeparam>
internal sealed class EfContactDirectory<TContext> : IContactDirectory
    where TContext : DbContext
{
    private const int UpsertChunk = 500;
    private readonly IDbContextFactory<TContext> _contexts;
    private readonly TimeProvider _time;

    /// <summary>Creates the directory.</summary>
    public EfContactDirectory(IDbContextFactory<TContext> contexts, TimeProvider time)
    {
        _contexts = contexts;
        _time = time;
    }

    /// <inheritdoc />
    public async Task<ContactUpsertResult> UpsertAsync(IReadOnlyList<ContactUpsert> contacts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        // A contact written by a chat or email at the same moment makes the insert lose a race: run the import again on fresh data.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await UpsertOnceAsync(contacts, now.ToUniversalTime(), cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException) when (attempt < 2)
            {
            }
        }
    }

    /// <inheritdoc />
    public async Task<ContactPage> ListAsync(IReadOnlyList<string> tags, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tags);
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var query = db.Set<ContactRecord>().AsNoTracking();
        foreach (var tag in tags.Distinct(StringComparer.Ordinal))
        {
            query = query.Where(c => c.Tags.Any(t => t.Tag == tag));
        }

        var total = await query.CountAsync(cancellationToken).ConfigureAwait(false);
        var rows = await query.OrderBy(c => c.Id).Skip((page - 1) * pageSize).Take(pageSize)
            .Include(c => c.Tags).Include(c => c.Attributes).AsSplitQuery()
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new ContactPage(rows.Select(ToContact).ToList(), page, pageSize, total);
    }

    /// <inheritdoc />
    public async Task<Contact?> GetContactAsync(long contactId, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<ContactRecord>().AsNoTracking().Where(c => c.Id == contactId)
            .Include(c => c.Tags).Include(c => c.Attributes).AsSplitQuery()
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToContact(row);
    }

    /// <inheritdoc />
    public async Task<Contact?> ClearBounceAsync(long contactId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using (var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            var utcNow = now.ToUniversalTime();
            await db.Set<ContactRecord>().Where(c => c.Id == contactId && c.MarketingStatus == ContactMarketingStatus.Bounced)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.MarketingStatus, ContactMarketingStatus.Subscribed).SetProperty(c => c.MarketingStatusChangedAt, utcNow).SetProperty(c => c.UpdatedAt, utcNow), cancellationToken)
                .ConfigureAwait(false);
        }

        return await GetContactAsync(contactId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<(string Tag, int Contacts)>> ListTagsAsync(int limit, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<ContactTagRecord>().AsNoTracking().GroupBy(t => t.Tag)
            .Select(g => new { Tag = g.Key, Count = g.Count() })
            .OrderByDescending(g => g.Count).ThenBy(g => g.Tag).Take(limit)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(r => (r.Tag, r.Count)).ToList();
    }

    /// <inheritdoc />
    public async Task<int> CountRecipientsAsync(SegmentCriteria segment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(segment);
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var (condition, parameters) = SegmentSql.Compile(db, segment, _time.GetUtcNow(), firstParameter: 0);
        var sql = $"SELECT COUNT(*) AS \"Value\" FROM {db.Table<ContactRecord>()} c WHERE {condition}";
        return await db.Database.SqlQueryRaw<int>(sql, [.. parameters]).SingleAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<(long ContactId, MarketingStatus Status, bool Created)> RequestSubscriptionAsync(string email, string? name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        var utcNow = now.ToUniversalTime();
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var existing = await db.Set<ContactRecord>().AsNoTracking().Where(c => c.Email == email)
                .Select(c => new { c.Id, c.MarketingStatus }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                return (existing.Id, existing.MarketingStatus.ToDomain(), false);
            }

            var created = new ContactRecord { Email = email, Name = name, MarketingStatus = ContactMarketingStatus.Pending, MarketingStatusChangedAt = utcNow, CreatedAt = utcNow, UpdatedAt = utcNow };
            db.Add(created);
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return (created.Id, MarketingStatus.Pending, true);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // The same address subscribed twice at once (or arrived by import): read the winner.
            }
        }
    }

    /// <inheritdoc />
    public async Task<bool> ConfirmSubscriptionAsync(long contactId, IReadOnlyList<string> tags, DateTimeOffset requestedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var utcNow = now.ToUniversalTime();
        var requested = requestedAt.ToUniversalTime();
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Confirming is the person's own, fresh consent: it outranks an unsubscribe, bounce or complaint from before the
        // request, never one after it, and only once (the confirmation itself changes the status).
        var updated = await db.Set<ContactRecord>().Where(c => c.Id == contactId && (c.MarketingStatusChangedAt == null || c.MarketingStatusChangedAt <= requested))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.MarketingStatus, ContactMarketingStatus.Subscribed).SetProperty(c => c.MarketingStatusChangedAt, utcNow)
                .SetProperty(c => c.SoftBounces, 0).SetProperty(c => c.UpdatedAt, utcNow), cancellationToken)
            .ConfigureAwait(false);
        if (updated == 0)
        {
            return false;
        }

        var present = await db.Set<ContactTagRecord>().Where(t => t.ContactId == contactId).Select(t => t.Tag).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var tag in tags.Except(present, StringComparer.Ordinal))
        {
            db.Add(new ContactTagRecord { ContactId = contactId, Tag = tag });
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<ContactUpsertResult> UpsertOnceAsync(IReadOnlyList<ContactUpsert> contacts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var created = new List<ContactRecord>();
        var updated = 0;
        foreach (var chunk in contacts.Chunk(UpsertChunk))
        {
            var emails = chunk.Select(c => c.Email).ToList();
            var existing = await db.Set<ContactRecord>().Where(c => emails.Contains(c.Email!))
                .Include(c => c.Tags).Include(c => c.Attributes).AsSplitQuery()
                .ToDictionaryAsync(c => c.Email!, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
            foreach (var contact in chunk)
            {
                if (existing.TryGetValue(contact.Email, out var row))
                {
                    updated++;
                }
                else
                {
                    row = new ContactRecord { Email = contact.Email, CreatedAt = now };
                    db.Add(row);
                    created.Add(row);
                }

                // An import says who the marketing recipients are: new contacts, and those known only from support.
                if (contact.Subscribe != false && row.MarketingStatus == ContactMarketingStatus.None)
                {
                    row.MarketingStatus = ContactMarketingStatus.Subscribed;
                    row.MarketingStatusChangedAt = now;
                }

                Apply(row, contact, now);
            }

            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            db.ChangeTracker.Clear();
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        // Ids are known once each chunk is saved; the records are detached by then but keep them.
        return new ContactUpsertResult(created.Count, updated, created.Select(c => new CreatedContact(c.Id, c.Email!)).ToList());
    }

    private static void Apply(ContactRecord row, ContactUpsert contact, DateTimeOffset now)
    {
        row.Name = contact.Name ?? row.Name;
        row.Phone = contact.Phone ?? row.Phone;
        row.UpdatedAt = now;
        if (contact.Tags is { } tags)
        {
            row.Tags.RemoveAll(t => !tags.Contains(t.Tag, StringComparer.Ordinal));
            foreach (var tag in tags.Where(t => !row.Tags.Any(existing => existing.Tag == t)))
            {
                row.Tags.Add(new ContactTagRecord { Tag = tag });
            }
        }

        if (contact.Attributes is { } attributes)
        {
            row.Attributes.RemoveAll(a => !attributes.ContainsKey(a.Name));
            foreach (var (name, value) in attributes)
            {
                var current = row.Attributes.FirstOrDefault(a => a.Name == name);
                if (current is null)
                {
                    row.Attributes.Add(new ContactAttributeRecord { Name = name, Value = value });
                }
                else
                {
                    current.Value = value;
                }
            }
        }
    }

    private static Contact ToContact(ContactRecord row) => new(
        row.Id,
        row.Email,
        row.Name,
        row.Phone,
        row.Tags.Select(t => t.Tag).Order(StringComparer.Ordinal).ToList(),
        row.Attributes.ToDictionary(a => a.Name, a => a.Value, StringComparer.Ordinal),
        row.MarketingStatus.ToDomain(),
        row.CreatedAt);
}
