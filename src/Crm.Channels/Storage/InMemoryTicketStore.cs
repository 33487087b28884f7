using Crm.Channels.Tickets;

namespace Crm.Channels.Storage;

/// <summary>
/// A thread-safe <see cref="ITicketStore"/> in process memory, for tests and demos. Everything is lost
/// when the process ends; use <c>Crm.Storage.EfCore</c> for anything else.
/// </summary>
public sealed class InMemoryTicketStore : ITicketStore, ITicketContactStore, ITicketQueryStore, IReplyOutboxStore
{
    private readonly Lock _gate = new();
    private readonly List<ContactSummary> _contacts = [];
    private readonly Dictionary<long, Ticket> _tickets = [];
    private readonly List<TicketMessage> _messages = [];
    private readonly Dictionary<(string Channel, string ExternalId), TicketMessage> _messagesByExternalId = [];
    private readonly Dictionary<(string Channel, string ExternalId), long> _quoted = [];
    private readonly Dictionary<long, (DateTimeOffset DueAt, DateTimeOffset? LeasedUntil)> _outbox = [];
    private readonly Dictionary<long, DateTimeOffset> _offlineCopies = [];

    /// <inheritdoc />
    public Task<TicketMessage?> FindMessageAsync(string channel, string externalMessageId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_messagesByExternalId.GetValueOrDefault((channel, externalMessageId)));
        }
    }

    /// <inheritdoc />
    public Task<ContactSummary> ResolveContactAsync(ExternalIdentity? external, string? email, string? phone, string? name, bool senderVerified, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // The channel's own id first: it is that channel's word for this person.
            var index = external is null ? -1 : _contacts.FindIndex(c => c.ExternalIds.GetValueOrDefault(external.Channel) == external.Id);
            if (index >= 0)
            {
                return Task.FromResult(_contacts[index]);
            }

            index = _contacts.FindIndex(c => email is not null && c.Email == email);
            if (index < 0)
            {
                index = _contacts.FindIndex(c => phone is not null && c.Phone == phone);
            }

            if (index >= 0 && !senderVerified)
            {
                return Task.FromResult(_contacts[index]);
            }

            if (index >= 0)
            {
                var found = _contacts[index];
                var completed = found with
                {
                    Email = found.Email ?? email,
                    Phone = found.Phone ?? (phone is not null && !_contacts.Any(c => c.Phone == phone) ? phone : null),
                    Name = string.IsNullOrEmpty(found.Name) ? name : found.Name,
                    ExternalIds = WithExternal(found.ExternalIds, external),
                };
                _contacts[index] = completed;
                return Task.FromResult(completed);
            }

            var created = new ContactSummary(_contacts.Count + 1, email, phone, name) { ExternalIds = WithExternal(new Dictionary<string, string>(StringComparer.Ordinal), external) };
            _contacts.Add(created);
            return Task.FromResult(created with { Created = true });
        }
    }

    private static Dictionary<string, string> WithExternal(IReadOnlyDictionary<string, string> ids, ExternalIdentity? external)
    {
        var copy = new Dictionary<string, string>(ids, StringComparer.Ordinal);
        if (external is not null)
        {
            copy.TryAdd(external.Channel, external.Id);
        }

        return copy;
    }

    /// <inheritdoc />
    public Task<Ticket?> FindTicketAsync(long ticketId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_tickets.GetValueOrDefault(ticketId));
        }
    }

    /// <inheritdoc />
    public Task<Ticket?> FindTicketByMessageIdsAsync(string channel, IReadOnlyCollection<string> externalMessageIds, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var match = _messages
                .Where(m => m.Channel == channel && externalMessageIds.Contains(m.ExternalMessageId))
                .OrderByDescending(m => m.Id)
                .FirstOrDefault();
            if (match is not null)
            {
                return Task.FromResult<Ticket?>(_tickets[match.TicketId]);
            }

            var quoted = externalMessageIds.Select(id => _quoted.TryGetValue((channel, id), out var ticketId) ? ticketId : (long?)null).FirstOrDefault(id => id is not null);
            return Task.FromResult(quoted is { } id ? _tickets[id] : null);
        }
    }

    /// <inheritdoc />
    public Task<Ticket?> FindTicketByConversationKeyAsync(string conversationKey, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_tickets.Values.FirstOrDefault(t => t.ConversationKey == conversationKey));
        }
    }

    /// <inheritdoc />
    public Task<Ticket?> FindLatestUnclosedTicketAsync(string channel, long contactId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_tickets.Values
                .Where(t => t.Channel == channel && t.ContactId == contactId && t.Status != TicketStatus.Closed)
                .OrderByDescending(t => t.UpdatedAt)
                .ThenByDescending(t => t.Id)
                .FirstOrDefault());
        }
    }

    /// <inheritdoc />
    public Task<(Ticket Ticket, TicketMessage Message)> CreateTicketAsync(NewTicket ticket, NewTicketMessage message, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ThrowIfDuplicate(message);
            var created = new Ticket(_tickets.Count + 1, ticket.Channel, TicketStatus.Open, ticket.Subject, ticket.ContactId, ticket.ConversationKey, ticket.CreatedAt, ticket.CreatedAt) { Cc = ticket.Cc, Inbox = ticket.Inbox };
            _tickets.Add(created.Id, created);
            RememberQuoted(created.Id, message);
            return Task.FromResult((created, AddMessage(created.Id, message)));
        }
    }

    /// <inheritdoc />
    public Task<(Ticket Ticket, TicketMessage Message)> AppendMessageAsync(long ticketId, NewTicketMessage message, TicketStatus statusAfter, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_tickets.TryGetValue(ticketId, out var ticket))
            {
                throw new KeyNotFoundException($"Ticket {ticketId} does not exist.");
            }

            ThrowIfDuplicate(message);
            var updated = ticket with { Status = statusAfter, UpdatedAt = message.ReceivedAt > ticket.UpdatedAt ? message.ReceivedAt : ticket.UpdatedAt, Cc = message.TicketCc ?? ticket.Cc };
            _tickets[ticketId] = updated;
            RememberQuoted(ticketId, message);
            return Task.FromResult((updated, AddMessage(ticketId, message)));
        }
    }

    /// <inheritdoc />
    public Task<Ticket?> SetTicketStatusAsync(long ticketId, TicketStatus status, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_tickets.TryGetValue(ticketId, out var ticket))
            {
                return Task.FromResult<Ticket?>(null);
            }

            var updated = ticket with { Status = status, UpdatedAt = now };
            _tickets[ticketId] = updated;
            return Task.FromResult<Ticket?>(updated);
        }
    }

    /// <inheritdoc />
    public Task<TicketPage> ListTicketsAsync(TicketQuery query, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var matching = _tickets.Values
                .Where(t => query.Channel is null || t.Channel == query.Channel)
                .Where(t => query.Status is null || t.Status == query.Status)
                .OrderByDescending(t => t.UpdatedAt)
                .ThenByDescending(t => t.Id)
                .ToList();
            var items = matching.Skip((query.Page - 1) * query.PageSize).Take(query.PageSize).ToList();
            return Task.FromResult(new TicketPage(items, query.Page, query.PageSize, matching.Count));
        }
    }

    /// <inheritdoc />
    public Task<int> CountMessagesAsync(long ticketId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_messages.Count(m => m.TicketId == ticketId));
        }
    }

    /// <inheritdoc />
    public Task<TicketDetails?> GetTicketDetailsAsync(long ticketId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_tickets.TryGetValue(ticketId, out var ticket))
            {
                return Task.FromResult<TicketDetails?>(null);
            }

            var contact = _contacts.FirstOrDefault(c => c.Id == ticket.ContactId);
            var messages = _messages.Where(m => m.TicketId == ticketId).OrderBy(m => m.ReceivedAt).ThenBy(m => m.Id).ToList();
            return Task.FromResult<TicketDetails?>(new TicketDetails(ticket, contact, messages));
        }
    }

    private void RememberQuoted(long ticketId, NewTicketMessage message)
    {
        foreach (var id in message.QuotedMessageIds.Where(id => !_messagesByExternalId.ContainsKey((message.Channel, id))))
        {
            _quoted.TryAdd((message.Channel, id), ticketId);
        }
    }

    private void ThrowIfDuplicate(NewTicketMessage message)
    {
        if (_messagesByExternalId.ContainsKey((message.Channel, message.ExternalMessageId)))
        {
            throw new DuplicateMessageException(message.Channel, message.ExternalMessageId);
        }
    }

    private TicketMessage AddMessage(long ticketId, NewTicketMessage message)
    {
        var stored = new TicketMessage(
            _messages.Count + 1, ticketId, message.Direction, message.Channel, message.ExternalMessageId,
            message.Author, message.Text, message.Html, message.Attachments, message.ReceivedAt)
        {
            DeliveryStatus = message.DeliveryStatus,
            Template = message.Template,
            IdentityVerified = message.IdentityVerified,
            OtherSender = message.OtherSender,
        };
        _messages.Add(stored);
        _messagesByExternalId.Add((message.Channel, message.ExternalMessageId), stored);
        if (message.DeliveryStatus == Tickets.DeliveryStatus.Queued)
        {
            _outbox[stored.Id] = (message.ReceivedAt, null);
        }

        if (message.OfflineCopyDueAt is { } copyDue)
        {
            _offlineCopies[stored.Id] = copyDue;
        }

        return stored;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TicketMessage>> GetMessagesAfterAsync(long ticketId, long afterMessageId, int max, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<TicketMessage>>(_messages.Where(m => m.TicketId == ticketId && m.Id > afterMessageId).OrderBy(m => m.Id).Take(max).ToList());
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<long>?> GetTicketsWithMessagesAfterAsync(long afterMessageId, int max, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<long>?>(_messages.Where(m => m.Id > afterMessageId).Select(m => m.TicketId).Distinct().Take(max).ToList());
        }
    }

    /// <inheritdoc />
    public Task<long> GetLatestMessageIdAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult((long)_messages.Count);
        }
    }

    /// <inheritdoc />
    public Task<DateTimeOffset?> NextReplyDueAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_outbox.Count == 0 ? (DateTimeOffset?)null : _outbox.Values.Min(e => e.LeasedUntil is { } leased && leased > e.DueAt ? leased : e.DueAt));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TicketMessage>> ClaimDueRepliesAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var claimed = new List<TicketMessage>();
            foreach (var (id, entry) in _outbox.OrderBy(e => e.Value.DueAt).ToList())
            {
                if (claimed.Count == max || entry.DueAt > now || entry.LeasedUntil > now)
                {
                    continue;
                }

                _outbox[id] = (entry.DueAt, now + lease);
                var message = _messages[(int)id - 1];
                message = message with { DeliveryAttempts = message.DeliveryAttempts + 1 };
                Replace(message);
                claimed.Add(message);
            }

            return Task.FromResult<IReadOnlyList<TicketMessage>>(claimed);
        }
    }

    /// <inheritdoc />
    public Task RecordReplyAttemptAsync(long messageId, ReplyAttemptOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        lock (_gate)
        {
            var message = _messages[(int)messageId - 1];
            // Another message of the channel holding the transport's id keeps it; the reply keeps its own (see EfTicketStore).
            if (outcome.ExternalMessageId is { } externalId && externalId != message.ExternalMessageId
                && !_messagesByExternalId.ContainsKey((message.Channel, externalId)))
            {
                _messagesByExternalId.Remove((message.Channel, message.ExternalMessageId));
                message = message with { ExternalMessageId = externalId };
            }

            message = message with { DeliveryStatus = DeliveryProgress.AfterAttempt(message.DeliveryStatus, outcome.Status), DeliveryError = outcome.Error };
            Replace(message);
            if (outcome.Status == Tickets.DeliveryStatus.Queued)
            {
                _outbox[messageId] = (outcome.RetryAt ?? DateTimeOffset.MinValue, null);
            }
            else
            {
                _outbox.Remove(messageId);
            }

            return Task.CompletedTask;
        }
    }

    /// <inheritdoc />
    public Task<TicketMessage?> UpdateDeliveryStatusAsync(string channel, string externalMessageId, DeliveryStatus status, string? error, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_messagesByExternalId.TryGetValue((channel, externalMessageId), out var message) || message.Direction != MessageDirection.Outbound)
            {
                return Task.FromResult<TicketMessage?>(null);
            }

            if (DeliveryProgress.Advances(message.DeliveryStatus, status))
            {
                message = message with { DeliveryStatus = status, DeliveryError = error ?? message.DeliveryError };
                Replace(message);
                if (status is Tickets.DeliveryStatus.Delivered or Tickets.DeliveryStatus.Read)
                {
                    _offlineCopies.Remove(message.Id);
                }
            }

            return Task.FromResult<TicketMessage?>(message);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TicketMessage>> ClaimDueOfflineCopiesAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var due = _offlineCopies.Where(c => c.Value <= now).OrderBy(c => c.Value).Select(c => c.Key).Take(max).ToList();
            foreach (var id in due)
            {
                _offlineCopies.Remove(id);
            }

            return Task.FromResult<IReadOnlyList<TicketMessage>>(due.Select(id => _messages[(int)id - 1])
                .Where(m => m.DeliveryStatus is Tickets.DeliveryStatus.Queued or Tickets.DeliveryStatus.Sent).ToList());
        }
    }

    /// <inheritdoc />
    public Task UpdateAttachmentsAsync(long messageId, IReadOnlyList<AttachmentInfo> attachments, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Replace(_messages[(int)messageId - 1] with { Attachments = attachments });
            return Task.CompletedTask;
        }
    }

    private void Replace(TicketMessage message)
    {
        _messages[(int)message.Id - 1] = message;
        _messagesByExternalId[(message.Channel, message.ExternalMessageId)] = message;
    }
}
