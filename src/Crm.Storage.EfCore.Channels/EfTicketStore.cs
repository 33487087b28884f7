using System.Data.Common;
using System.Text.Json;
using Crm.Channels.Storage;
using Crm.Channels.Tickets;
using Crm.Storage.EfCore.Entities;
using Crm.Storage.EfCore.Channels.Entities;
using Microsoft.EntityFrameworkCore;

namespace Crm.Storage.EfCore.Channels;

/// <summary>The EF Core <see cref="ITicketStore"/>, over any context that applied <c>ApplyCrmChannels()</c>.</summary>
/// <typeparam name="TContext">The database context.</typeparam>
internal sealed class EfTicketStore<TContext> : ITicketStore, ITicketContactStore, ITicketQueryStore, IReplyOutboxStore
    where TContext : DbContext
{
    private readonly IDbContextFactory<TContext> _contexts;

    /// <summary>Creates the store.</summary>
    public EfTicketStore(IDbContextFactory<TContext> contexts)
    {
        _contexts = contexts;
    }

    /// <inheritdoc />
    public async Task<TicketMessage?> FindMessageAsync(string channel, string externalMessageId, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<TicketMessageRecord>().AsNoTracking()
            .FirstOrDefaultAsync(m => m.Channel == channel && m.ExternalMessageId == externalMessageId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToMessage(row);
    }

    /// <inheritdoc />
    public async Task<ContactSummary> ResolveContactAsync(ExternalIdentity? external, string? email, string? phone, string? name, bool senderVerified, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (email is null && phone is null && external is null)
        {
            throw new ArgumentException("A contact is identified by a channel id, an email address or a phone number.", nameof(email));
        }

        // Two deliveries from a new sender can race to create the contact (or link the channel id); the unique indexes
        // let one win, and the loser finds the winner's row on the next pass.
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var contacts = db.Set<ContactRecord>();
            var identities = db.Set<ContactExternalIdRecord>();
            // The channel's own id first: it is that channel's word for this person.
            var linked = external is null
                ? null
                : await identities.Where(i => i.Channel == external.Channel && i.ExternalId == external.Id).Select(i => (long?)i.ContactId)
                    .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (linked is { } linkedId && await FindContactAsync(db, linkedId, cancellationToken).ConfigureAwait(false) is { } byChannel)
            {
                return byChannel;
            }

            var found = email is not null
                ? await contacts.FirstOrDefaultAsync(c => c.Email == email, cancellationToken).ConfigureAwait(false)
                : null;
            found ??= phone is not null
                ? await contacts.FirstOrDefaultAsync(c => c.Phone == phone, cancellationToken).ConfigureAwait(false)
                : null;

            try
            {
                if (found is not null && !senderVerified)
                {
                    return (await FindContactAsync(db, found.Id, cancellationToken).ConfigureAwait(false))!;
                }

                var creating = found is null;
                if (found is null)
                {
                    found = new ContactRecord { Email = email, Phone = phone, Name = name, CreatedAt = now.ToUniversalTime(), UpdatedAt = now.ToUniversalTime() };
                    contacts.Add(found);
                }
                else
                {
                    var changed = false;
                    if (found.Email is null && email is not null)
                    {
                        found.Email = email;
                        changed = true;
                    }

                    if (found.Phone is null && phone is not null && !await contacts.AnyAsync(c => c.Phone == phone, cancellationToken).ConfigureAwait(false))
                    {
                        found.Phone = phone;
                        changed = true;
                    }

                    if (string.IsNullOrEmpty(found.Name) && name is not null)
                    {
                        found.Name = name;
                        changed = true;
                    }

                    if (changed)
                    {
                        found.UpdatedAt = now.ToUniversalTime();
                    }
                }

                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                // One id per channel and contact, as the in-memory store keeps it: a second account on the same channel
                // that names a known address is that contact, and replies keep going to the first.
                if (external is not null && !await identities.AnyAsync(i => i.ContactId == found.Id && i.Channel == external.Channel, cancellationToken).ConfigureAwait(false))
                {
                    identities.Add(new ContactExternalIdRecord { ContactId = found.Id, Channel = external.Channel, ExternalId = external.Id, CreatedAt = now.ToUniversalTime() });
                    await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                }

                return (await FindContactAsync(db, found.Id, cancellationToken).ConfigureAwait(false))! with { Created = creating };
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Lost the race on ux_contacts_email, ux_contacts_phone or ux_contact_external_ids_channel_id: read again.
            }
        }
    }

    /// <summary>The contact with its channel ids, or null.</summary>
    private static async Task<ContactSummary?> FindContactAsync(DbContext db, long contactId, CancellationToken cancellationToken)
    {
        var contact = await db.Set<ContactRecord>().AsNoTracking().Where(c => c.Id == contactId)
            .Select(c => new ContactSummary(c.Id, c.Email, c.Phone, c.Name))
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (contact is null)
        {
            return null;
        }

        // Oldest first, and the first per channel wins: two deliveries racing to link the same contact on one channel
        // cannot make the contact unreadable.
        var ids = await db.Set<ContactExternalIdRecord>().AsNoTracking().Where(i => i.ContactId == contactId).OrderBy(i => i.Id)
            .Select(i => new { i.Channel, i.ExternalId }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var byChannel = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            byChannel.TryAdd(id.Channel, id.ExternalId);
        }

        return byChannel.Count == 0 ? contact : contact with { ExternalIds = byChannel };
    }

    /// <inheritdoc />
    public async Task<Ticket?> FindTicketAsync(long ticketId, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<TicketRecord>().AsNoTracking().FirstOrDefaultAsync(t => t.Id == ticketId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToTicket(row);
    }

    /// <inheritdoc />
    public async Task<Ticket?> FindTicketByMessageIdsAsync(string channel, IReadOnlyCollection<string> externalMessageIds, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var ids = externalMessageIds.ToList();
        var ticketId = await db.Set<TicketMessageRecord>().AsNoTracking()
            .Where(m => m.Channel == channel && ids.Contains(m.ExternalMessageId))
            .OrderByDescending(m => m.Id)
            .Select(m => (long?)m.TicketId)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        // Else the ticket that first answered the same unknown parent.
        ticketId ??= await db.Set<TicketQuotedIdRecord>().AsNoTracking()
            .Where(q => q.Channel == channel && ids.Contains(q.ExternalMessageId))
            .OrderBy(q => q.TicketId)
            .Select(q => (long?)q.TicketId)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (ticketId is null)
        {
            return null;
        }

        var row = await db.Set<TicketRecord>().AsNoTracking().FirstOrDefaultAsync(t => t.Id == ticketId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToTicket(row);
    }

    /// <inheritdoc />
    public async Task<Ticket?> FindTicketByConversationKeyAsync(string conversationKey, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<TicketRecord>().AsNoTracking().FirstOrDefaultAsync(t => t.ConversationKey == conversationKey, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToTicket(row);
    }

    /// <inheritdoc />
    public async Task<Ticket?> FindLatestUnclosedTicketAsync(string channel, long contactId, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<TicketRecord>().AsNoTracking()
            .Where(t => t.Channel == channel && t.ContactId == contactId && t.Status != TicketStatus.Closed)
            .OrderByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Id)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToTicket(row);
    }

    /// <inheritdoc />
    public async Task<(Ticket Ticket, TicketMessage Message)> CreateTicketAsync(NewTicket ticket, NewTicketMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        ArgumentNullException.ThrowIfNull(message);
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var messageRow = ToRow(message);
        var ticketRow = new TicketRecord
        {
            Channel = ticket.Channel,
            Status = TicketStatus.Open,
            Subject = ticket.Subject,
            ContactId = ticket.ContactId,
            ConversationKey = ticket.ConversationKey,
            Cc = JoinCc(ticket.Cc),
            Inbox = ticket.Inbox,
            CreatedAt = ticket.CreatedAt.ToUniversalTime(),
            UpdatedAt = ticket.CreatedAt.ToUniversalTime(),
            Messages = { messageRow },
        };
        db.Add(ticketRow);
        await SaveMessageAsync(db, message, cancellationToken).ConfigureAwait(false);
        await RememberQuotedAsync(db, ticketRow.Id, message, cancellationToken).ConfigureAwait(false);
        return (ToTicket(ticketRow), ToMessage(messageRow));
    }

    /// <inheritdoc />
    public async Task<(Ticket Ticket, TicketMessage Message)> AppendMessageAsync(long ticketId, NewTicketMessage message, TicketStatus statusAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var ticketRow = await db.Set<TicketRecord>().FirstOrDefaultAsync(t => t.Id == ticketId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Ticket {ticketId} does not exist.");
        var messageRow = ToRow(message);
        messageRow.TicketId = ticketId;
        db.Add(messageRow);
        ticketRow.Status = statusAfter;
        if (message.TicketCc is { } cc)
        {
            ticketRow.Cc = JoinCc(cc);
        }

        var receivedAt = message.ReceivedAt.ToUniversalTime();
        if (receivedAt > ticketRow.UpdatedAt)
        {
            ticketRow.UpdatedAt = receivedAt;
        }

        await SaveMessageAsync(db, message, cancellationToken).ConfigureAwait(false);
        await RememberQuotedAsync(db, ticketId, message, cancellationToken).ConfigureAwait(false);
        return (ToTicket(ticketRow), ToMessage(messageRow));
    }

    /// <summary>Addresses cannot hold a line break, so one per line round-trips exactly.</summary>
    private static string? JoinCc(IReadOnlyList<string> cc) => cc.Count == 0 ? null : string.Join('\n', cc);

    /// <summary>
    /// Remembers the ids the message quoted that are neither stored messages nor remembered by a ticket yet, after the
    /// message is stored: best effort, in
    /// its own write, so a concurrent ticket that remembered one first (the first keeps it) costs nothing stored.
    /// </summary>
    private static async Task RememberQuotedAsync(DbContext db, long ticketId, NewTicketMessage message, CancellationToken cancellationToken)
    {
        var ids = message.QuotedMessageIds.Where(id => id.Length is > 0 and <= 512).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return;
        }

        var channel = message.Channel;
        var known = await db.Set<TicketQuotedIdRecord>().AsNoTracking()
            .Where(q => q.Channel == channel && ids.Contains(q.ExternalMessageId))
            .Select(q => q.ExternalMessageId)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        // Ids of stored messages find their ticket already: only unknown parents are worth remembering.
        var stored = await db.Set<TicketMessageRecord>().AsNoTracking()
            .Where(m => m.Channel == channel && ids.Contains(m.ExternalMessageId))
            .Select(m => m.ExternalMessageId)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var fresh = ids.Except(known, StringComparer.Ordinal).Except(stored, StringComparer.Ordinal).ToList();
        if (fresh.Count == 0)
        {
            return;
        }

        db.ChangeTracker.Clear();
        foreach (var id in fresh)
        {
            db.Add(new TicketQuotedIdRecord { Channel = channel, ExternalMessageId = id, TicketId = ticketId });
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another ticket remembered one of them at the same moment: it keeps it, and this message is stored.
        }
    }

    /// <inheritdoc />
    public async Task<Ticket?> SetTicketStatusAsync(long ticketId, TicketStatus status, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<TicketRecord>().FirstOrDefaultAsync(t => t.Id == ticketId, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        row.Status = status;
        row.UpdatedAt = now.ToUniversalTime();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return ToTicket(row);
    }

    /// <inheritdoc />
    public async Task<TicketPage> ListTicketsAsync(TicketQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var tickets = db.Set<TicketRecord>().AsNoTracking();
        if (query.Channel is not null)
        {
            tickets = tickets.Where(t => t.Channel == query.Channel);
        }

        if (query.Status is { } status)
        {
            tickets = tickets.Where(t => t.Status == status);
        }

        var total = await tickets.CountAsync(cancellationToken).ConfigureAwait(false);
        var rows = await tickets
            .OrderByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Id)
            .Skip((query.Page - 1) * query.PageSize).Take(query.PageSize)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new TicketPage(rows.Select(ToTicket).ToList(), query.Page, query.PageSize, total);
    }

    /// <inheritdoc />
    public async Task<TicketDetails?> GetTicketDetailsAsync(long ticketId, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var ticket = await db.Set<TicketRecord>().AsNoTracking().FirstOrDefaultAsync(t => t.Id == ticketId, cancellationToken).ConfigureAwait(false);
        if (ticket is null)
        {
            return null;
        }

        var messages = await db.Set<TicketMessageRecord>().AsNoTracking()
            .Where(m => m.TicketId == ticketId)
            .OrderBy(m => m.ReceivedAt).ThenBy(m => m.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var contact = ticket.ContactId is { } contactId ? await FindContactAsync(db, contactId, cancellationToken).ConfigureAwait(false) : null;
        return new TicketDetails(ToTicket(ticket), contact, messages.Select(ToMessage).ToList());
    }

    /// <inheritdoc />
    public async Task<TicketDetails?> GetTicketDetailsAsync(long ticketId, MessageWindow window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var ticket = await db.Set<TicketRecord>().AsNoTracking().FirstOrDefaultAsync(t => t.Id == ticketId, cancellationToken).ConfigureAwait(false);
        if (ticket is null)
        {
            return null;
        }

        var messages = db.Set<TicketMessageRecord>().AsNoTracking().Where(m => m.TicketId == ticketId);
        List<TicketMessageRecord> page;
        var hasOlder = false;
        if (window.AfterMessageId is { } after)
        {
            page = await messages.Where(m => m.Id > after).OrderBy(m => m.ReceivedAt).ThenBy(m => m.Id).Take(window.Limit).ToListAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (window.BeforeMessageId is { } before)
            {
                var cursor = await messages.Where(m => m.Id == before).Select(m => new { m.ReceivedAt, m.Id }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
                messages = cursor is null ? messages.Where(m => false) : messages.Where(m => m.ReceivedAt < cursor.ReceivedAt || (m.ReceivedAt == cursor.ReceivedAt && m.Id < cursor.Id));
            }

            // One more than the page: whether older messages exist, without counting them.
            page = await messages.OrderByDescending(m => m.ReceivedAt).ThenByDescending(m => m.Id).Take(window.Limit + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
            hasOlder = page.Count > window.Limit;
            page = page.Take(window.Limit).Reverse().ToList();
        }

        var contact = ticket.ContactId is { } contactId ? await FindContactAsync(db, contactId, cancellationToken).ConfigureAwait(false) : null;
        return new TicketDetails(ToTicket(ticket), contact, page.Select(ToMessage).ToList()) { HasOlderMessages = hasOlder };
    }

    /// <inheritdoc />
    public async Task<int> CountMessagesAsync(long ticketId, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<TicketMessageRecord>().CountAsync(m => m.TicketId == ticketId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TicketMessage>> GetMessagesAfterAsync(long ticketId, long afterMessageId, int max, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<TicketMessageRecord>().AsNoTracking()
            .Where(m => m.TicketId == ticketId && m.Id > afterMessageId)
            .OrderBy(m => m.Id).Take(max)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(ToMessage).ToList();
    }

    /// <inheritdoc />
    public async Task<long> GetLatestMessageIdAsync(CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<TicketMessageRecord>().MaxAsync(m => (long?)m.Id, cancellationToken).ConfigureAwait(false) ?? 0;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<long>?> GetTicketsWithMessagesAfterAsync(long afterMessageId, int max, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        // The primary key bounds the scan to the few messages written since the last look.
        return await db.Set<TicketMessageRecord>().AsNoTracking().Where(m => m.Id > afterMessageId)
            .Select(m => m.TicketId).Distinct().Take(max).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<DateTimeOffset?> NextReplyDueAsync(CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var queued = db.Set<TicketMessageRecord>().AsNoTracking().Where(m => m.DeliveryStatus == DeliveryStatus.Queued);
        // Ordered, not MIN: SQLite keeps these dates as sortable integers through a converter, which ordering honours.
        var retry = await queued.Where(m => m.LeasedUntil == null).OrderBy(m => m.NextAttemptAt).Select(m => m.NextAttemptAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        var lease = await queued.Where(m => m.LeasedUntil != null).OrderBy(m => m.LeasedUntil).Select(m => m.LeasedUntil).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return new[] { retry, lease }.Where(t => t is not null).Min();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TicketMessage>> ClaimDueRepliesAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        var utcNow = now.ToUniversalTime();
        var leasedUntil = utcNow + lease;
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var outbox = db.Set<TicketMessageRecord>();
        var candidates = await outbox.AsNoTracking()
            .Where(m => m.DeliveryStatus == DeliveryStatus.Queued && m.NextAttemptAt <= utcNow && (m.LeasedUntil == null || m.LeasedUntil <= utcNow))
            .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id)
            .Select(m => m.Id).Take(max)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var claimed = new List<TicketMessage>(candidates.Count);
        foreach (var id in candidates)
        {
            // The same condition again, atomically: of several instances racing for a message, one updates it.
            var won = await outbox
                .Where(m => m.Id == id && m.DeliveryStatus == DeliveryStatus.Queued && (m.LeasedUntil == null || m.LeasedUntil <= utcNow))
                .ExecuteUpdateAsync(u => u.SetProperty(m => m.LeasedUntil, leasedUntil).SetProperty(m => m.DeliveryAttempts, m => m.DeliveryAttempts + 1), cancellationToken)
                .ConfigureAwait(false);
            if (won == 1)
            {
                var row = await outbox.AsNoTracking().FirstAsync(m => m.Id == id, cancellationToken).ConfigureAwait(false);
                claimed.Add(ToMessage(row));
            }
        }

        return claimed;
    }

    /// <inheritdoc />
    public async Task RecordReplyAttemptAsync(long messageId, ReplyAttemptOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var error = outcome.Error is { Length: > 1024 } tooLong ? tooLong[..1024] : outcome.Error;
        var externalId = outcome.ExternalMessageId;
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var messages = db.Set<TicketMessageRecord>();
        // Optimistic: written only if the status is still what was read, so a delivery report that lands meanwhile
        // (the chat widget showed the reply) is never overwritten by the outbox's "sent".
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var current = await messages.AsNoTracking().Where(m => m.Id == messageId).Select(m => new { m.DeliveryStatus, m.NextAttemptAt, m.Channel })
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"Message {messageId} does not exist.");
            if (externalId is not null && await IsTakenAsync(current.Channel, externalId).ConfigureAwait(false))
            {
                externalId = null;
            }

            var status = DeliveryProgress.AfterAttempt(current.DeliveryStatus, outcome.Status);
            var nextAttempt = outcome.Status == DeliveryStatus.Queued ? outcome.RetryAt?.ToUniversalTime() ?? current.NextAttemptAt : null;
            var read = current.DeliveryStatus;
            var keptId = externalId;
            int updated;
            try
            {
                updated = await messages.Where(m => m.Id == messageId && m.DeliveryStatus == read)
                    .ExecuteUpdateAsync(
                        u => u.SetProperty(m => m.DeliveryStatus, status).SetProperty(m => m.DeliveryError, error).SetProperty(m => m.LeasedUntil, (DateTimeOffset?)null)
                            .SetProperty(m => m.NextAttemptAt, nextAttempt).SetProperty(m => m.ExternalMessageId, m => keptId ?? m.ExternalMessageId),
                        cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception ex) when (keptId is not null && ex is DbException or DbUpdateException)
            {
                if (!await IsTakenAsync(current.Channel, keptId).ConfigureAwait(false))
                {
                    throw;
                }

                // Taken between the check and the write: the outcome still counts, under the reply's own id.
                externalId = null;
                continue;
            }

            if (updated == 1)
            {
                return;
            }
        }

        // The transport's id for the reply is only a key for its delivery reports. Another message of the channel
        // already holding it (a transport whose ids are per chat, an inbound message that shares the number) must not
        // make the outcome unrecordable: that would send the reply again at every lease.
        Task<bool> IsTakenAsync(string channel, string id)
            => messages.AnyAsync(m => m.Channel == channel && m.ExternalMessageId == id && m.Id != messageId, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<TicketMessage?> UpdateDeliveryStatusAsync(string channel, string externalMessageId, DeliveryStatus status, string? error, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var messages = db.Set<TicketMessageRecord>();
        long? id = null;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var row = await messages.AsNoTracking()
                .FirstOrDefaultAsync(m => m.Channel == channel && m.ExternalMessageId == externalMessageId && m.Direction == MessageDirection.Outbound, cancellationToken)
                .ConfigureAwait(false);
            if (row is null)
            {
                return null;
            }

            id = row.Id;
            if (!DeliveryProgress.Advances(row.DeliveryStatus, status))
            {
                break;
            }

            // Conditional on the status read: two reports racing (or the outbox recording "sent") cannot move it backwards;
            // the loser reads again and applies its report to what is there now.
            var previous = row.DeliveryStatus;
            var newError = error is { Length: > 1024 } ? error[..1024] : error ?? row.DeliveryError;
            var updated = await messages.Where(m => m.Id == row.Id && m.DeliveryStatus == previous)
                .ExecuteUpdateAsync(
                    u => u.SetProperty(m => m.DeliveryStatus, status).SetProperty(m => m.DeliveryError, newError)
                        // Received by the customer: no offline copy is needed any more.
                        .SetProperty(m => m.OfflineCopyDueAt, m => status == DeliveryStatus.Delivered || status == DeliveryStatus.Read ? null : m.OfflineCopyDueAt),
                    cancellationToken)
                .ConfigureAwait(false);
            if (updated == 1)
            {
                break;
            }
        }

        var stored = await messages.AsNoTracking().FirstAsync(m => m.Id == id, cancellationToken).ConfigureAwait(false);
        return ToMessage(stored);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TicketMessage>> ClaimDueOfflineCopiesAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        var utcNow = now.ToUniversalTime();
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var messages = db.Set<TicketMessageRecord>();
        var due = await messages.AsNoTracking()
            .Where(m => m.OfflineCopyDueAt != null && m.OfflineCopyDueAt <= utcNow && (m.DeliveryStatus == DeliveryStatus.Queued || m.DeliveryStatus == DeliveryStatus.Sent))
            .OrderBy(m => m.OfflineCopyDueAt).Take(max)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var claimed = new List<TicketMessage>(due.Count);
        foreach (var row in due)
        {
            // Clearing the due time is the claim: of several instances, one updates the row and copies it.
            var won = await messages.Where(m => m.Id == row.Id && m.OfflineCopyDueAt != null && (m.DeliveryStatus == DeliveryStatus.Queued || m.DeliveryStatus == DeliveryStatus.Sent))
                .ExecuteUpdateAsync(u => u.SetProperty(m => m.OfflineCopyDueAt, (DateTimeOffset?)null), cancellationToken).ConfigureAwait(false);
            if (won == 1)
            {
                claimed.Add(ToMessage(row));
            }
        }

        return claimed;
    }

    /// <inheritdoc />
    public async Task UpdateAttachmentsAsync(long messageId, IReadOnlyList<AttachmentInfo> attachments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attachments);
        var json = attachments.Count == 0 ? null : JsonSerializer.Serialize(attachments, ChannelsStorageJsonContext.Default.IReadOnlyListAttachmentInfo);
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Set<TicketMessageRecord>().Where(m => m.Id == messageId)
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.AttachmentsJson, json), cancellationToken).ConfigureAwait(false);
    }

    private async Task SaveMessageAsync(TContext db, NewTicketMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException ex)
        {
            // Provider-neutral conflict detection: if the message is there now, someone else stored it first.
            if (await FindMessageAsync(message.Channel, message.ExternalMessageId, cancellationToken).ConfigureAwait(false) is not null)
            {
                throw new DuplicateMessageException(message.Channel, message.ExternalMessageId, ex);
            }

            throw;
        }
    }

    private static TicketMessageRecord ToRow(NewTicketMessage message) => new()
    {
        Channel = message.Channel,
        ExternalMessageId = message.ExternalMessageId,
        Direction = message.Direction,
        Author = message.Author,
        Text = message.Text,
        Html = message.Html,
        AttachmentsJson = message.Attachments.Count == 0 ? null : JsonSerializer.Serialize(message.Attachments, ChannelsStorageJsonContext.Default.IReadOnlyListAttachmentInfo),
        ReceivedAt = message.ReceivedAt.ToUniversalTime(),
        DeliveryStatus = message.DeliveryStatus,
        NextAttemptAt = message.DeliveryStatus == DeliveryStatus.Queued ? message.ReceivedAt.ToUniversalTime() : null,
        TemplateJson = message.Template is null ? null : JsonSerializer.Serialize(message.Template, ChannelsStorageJsonContext.Default.ReplyTemplate),
        IdentityVerified = message.IdentityVerified,
        OtherSender = message.OtherSender,
        OfflineCopyDueAt = message.OfflineCopyDueAt?.ToUniversalTime(),
    };

    private static Ticket ToTicket(TicketRecord row)
    {
        return new Ticket(row.Id, row.Channel, row.Status, row.Subject, row.ContactId, row.ConversationKey, row.CreatedAt, row.UpdatedAt)
        {
            Cc = string.IsNullOrEmpty(row.Cc) ? [] : row.Cc.Split('\n'),
            Inbox = row.Inbox,
        };
    }

    private static TicketMessage ToMessage(TicketMessageRecord row) => new(
        row.Id,
        row.TicketId,
        row.Direction,
        row.Channel,
        row.ExternalMessageId,
        row.Author,
        row.Text,
        row.Html,
        row.AttachmentsJson is null ? [] : JsonSerializer.Deserialize(row.AttachmentsJson, ChannelsStorageJsonContext.Default.IReadOnlyListAttachmentInfo) ?? [],
        row.ReceivedAt)
    {
        DeliveryStatus = row.DeliveryStatus,
        DeliveryError = row.DeliveryError,
        DeliveryAttempts = row.DeliveryAttempts,
        Template = row.TemplateJson is null ? null : JsonSerializer.Deserialize(row.TemplateJson, ChannelsStorageJsonContext.Default.ReplyTemplate),
        IdentityVerified = row.IdentityVerified,
        OtherSender = row.OtherSender,
    };
}
