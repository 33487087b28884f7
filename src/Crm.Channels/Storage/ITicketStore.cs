using Crm.Channels.Tickets;

namespace Crm.Channels.Storage;

/// <summary>
/// Where tickets, their messages and the channels' view of contacts live. The ingestion pipeline holds
/// the rules; a store only reads and writes, atomically per call.
/// </summary>
public interface ITicketStore
{
    /// <summary>Finds a stored message by channel and transport id.</summary>
    Task<TicketMessage?> FindMessageAsync(string channel, string externalMessageId, CancellationToken cancellationToken);

    /// <summary>
    /// Finds the contact with this channel id, email (preferred) or phone, creating it when none matches.
    /// Must be safe under concurrent calls for the same identity: one contact results.
    /// </summary>
    /// <param name="external">
    /// The sender's id on the message's channel, or null. It is the channel's own word (its adapter authenticated the
    /// webhook), so it finds its contact before the email or phone does; it is linked to a contact found by email or
    /// phone only when <paramref name="senderVerified"/>, and to the contact created otherwise.
    /// </param>
    /// <param name="email">Lower-cased email, or null.</param>
    /// <param name="phone">E.164 phone, or null.</param>
    /// <param name="name">Display name, used when the contact is created, or (when <paramref name="senderVerified"/>) has none.</param>
    /// <param name="senderVerified">
    /// True when the transport proved the sender owns this identity (a signed WhatsApp webhook). Only then may an
    /// existing contact's empty fields be filled in; an unverified claim (chat, email's From) never changes a stored contact.
    /// </param>
    /// <param name="now">The creation time.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ContactSummary> ResolveContactAsync(ExternalIdentity? external, string? email, string? phone, string? name, bool senderVerified, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Finds a ticket by id.</summary>
    Task<Ticket?> FindTicketAsync(long ticketId, CancellationToken cancellationToken);

    /// <summary>Finds the ticket holding any of these external message ids (newest match wins).</summary>
    Task<Ticket?> FindTicketByMessageIdsAsync(string channel, IReadOnlyCollection<string> externalMessageIds, CancellationToken cancellationToken);

    /// <summary>Finds a ticket by its conversation key.</summary>
    Task<Ticket?> FindTicketByConversationKeyAsync(string conversationKey, CancellationToken cancellationToken);

    /// <summary>Finds the contact's most recently updated ticket on a channel that is not closed.</summary>
    Task<Ticket?> FindLatestUnclosedTicketAsync(string channel, long contactId, CancellationToken cancellationToken);

    /// <summary>Creates a ticket with its first message, atomically.</summary>
    /// <exception cref="DuplicateMessageException">The message is already stored.</exception>
    Task<(Ticket Ticket, TicketMessage Message)> CreateTicketAsync(NewTicket ticket, NewTicketMessage message, CancellationToken cancellationToken);

    /// <summary>Adds a message to a ticket and sets its status, atomically.</summary>
    /// <exception cref="DuplicateMessageException">The message is already stored.</exception>
    /// <exception cref="KeyNotFoundException">The ticket does not exist.</exception>
    Task<(Ticket Ticket, TicketMessage Message)> AppendMessageAsync(long ticketId, NewTicketMessage message, TicketStatus statusAfter, CancellationToken cancellationToken);

    /// <summary>Sets a ticket's status (an agent solved, closed or parked it).</summary>
    /// <returns>The updated ticket, or null when it does not exist.</returns>
    Task<Ticket?> SetTicketStatusAsync(long ticketId, TicketStatus status, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Lists tickets, newest activity first.</summary>
    Task<TicketPage> ListTicketsAsync(TicketQuery query, CancellationToken cancellationToken);

    /// <summary>Reads one ticket with its contact and every message.</summary>
    Task<TicketDetails?> GetTicketDetailsAsync(long ticketId, CancellationToken cancellationToken);

    /// <summary>
    /// Reads one ticket with its contact and a window of its messages (<see cref="MessageWindow"/>). The default reads
    /// the whole ticket and cuts the window out; a store should read only the window.
    /// </summary>
    async Task<TicketDetails?> GetTicketDetailsAsync(long ticketId, MessageWindow window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        return await GetTicketDetailsAsync(ticketId, cancellationToken).ConfigureAwait(false) is { } details ? window.Apply(details) : null;
    }

    /// <summary>How many messages a ticket has (the pipeline starts a new ticket past the per-ticket cap).</summary>
    async Task<int> CountMessagesAsync(long ticketId, CancellationToken cancellationToken)
        => (await GetTicketDetailsAsync(ticketId, cancellationToken).ConfigureAwait(false))?.Messages.Count ?? 0;

    /// <summary>Reads a ticket's messages with an id above <paramref name="afterMessageId"/>, oldest first.</summary>
    Task<IReadOnlyList<TicketMessage>> GetMessagesAfterAsync(long ticketId, long afterMessageId, int max, CancellationToken cancellationToken);

    /// <summary>The highest message id stored on any ticket (0 when there is none): cheap, so host instances can poll it to notice each other's writes.</summary>
    Task<long> GetLatestMessageIdAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The distinct tickets that gained a message with an id above <paramref name="afterMessageId"/>, at most
    /// <paramref name="max"/>; null when the store cannot tell (then every open event stream looks for itself).
    /// </summary>
    Task<IReadOnlyList<long>?> GetTicketsWithMessagesAfterAsync(long afterMessageId, int max, CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyList<long>?>(null);

    /// <summary>
    /// Claims up to <paramref name="max"/> queued outbound messages that are due, leasing each until
    /// <paramref name="now"/> + <paramref name="lease"/> and counting the attempt. A message is claimed by one caller
    /// at a time across every host instance; a lease that runs out (the claimer died) makes it claimable again.
    /// </summary>
    Task<IReadOnlyList<TicketMessage>> ClaimDueRepliesAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken);

    /// <summary>
    /// When the outbox next has work no signal announces — the earliest retry time of a queued reply, or a lease running
    /// out — so an idle outbox sleeps until then; null when there is none or the store cannot tell (the outbox then
    /// falls back to its safety poll).
    /// </summary>
    Task<DateTimeOffset?> NextReplyDueAsync(CancellationToken cancellationToken) => Task.FromResult<DateTimeOffset?>(null);

    /// <summary>Records the outcome of sending a claimed outbound message and releases its lease.</summary>
    Task RecordReplyAttemptAsync(long messageId, ReplyAttemptOutcome outcome, CancellationToken cancellationToken);

    /// <summary>
    /// Moves an outbound message's delivery status forward on the channel's report (a status callback); a report
    /// that arrives late never moves it back (read stays read), except to <see cref="DeliveryStatus.Failed"/>.
    /// </summary>
    /// <returns>The message as stored afterwards, or null when no outbound message has that id.</returns>
    Task<TicketMessage?> UpdateDeliveryStatusAsync(string channel, string externalMessageId, DeliveryStatus status, string? error, CancellationToken cancellationToken);

    /// <summary>
    /// Claims chat replies whose offline copy is due (<see cref="NewTicketMessage.OfflineCopyDueAt"/> passed) and that no
    /// widget has received yet; each is claimed once across every host instance, and its due time is cleared.
    /// </summary>
    Task<IReadOnlyList<TicketMessage>> ClaimDueOfflineCopiesAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);

    /// <summary>Replaces a message's attachment records (media fetched after the message was stored).</summary>
    Task UpdateAttachmentsAsync(long messageId, IReadOnlyList<AttachmentInfo> attachments, CancellationToken cancellationToken);

    /// <summary>Returns the stored secret named <paramref name="name"/>, storing <paramref name="generated"/> when there is none.</summary>
    Task<byte[]> GetOrCreateSecretAsync(string name, byte[] generated, CancellationToken cancellationToken);
}
