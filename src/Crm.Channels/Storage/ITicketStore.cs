using Crm.Channels.Tickets;

namespace Crm.Channels.Storage;

/// <summary>
/// Where tickets and their messages are written and found: the ingestion pipeline's and the replies' side. The pipeline
/// holds the rules; a store only reads and writes, atomically per call. One of four store interfaces a store can
/// implement one at a time (<see cref="ITicketContactStore"/>, <see cref="ITicketQueryStore"/>,
/// <see cref="IReplyOutboxStore"/>); <c>UseTicketStore&lt;TStore&gt;()</c> registers a class for every one it implements.
/// </summary>
public interface ITicketStore
{
    /// <summary>Finds a stored message by channel and transport id.</summary>
    Task<TicketMessage?> FindMessageAsync(string channel, string externalMessageId, CancellationToken cancellationToken);

    /// <summary>Finds a ticket by id.</summary>
    Task<Ticket?> FindTicketAsync(long ticketId, CancellationToken cancellationToken);

    /// <summary>
    /// Finds the ticket holding any of these external message ids (newest match wins), or else the ticket that first
    /// quoted one of them (<see cref="NewTicketMessage.QuotedMessageIds"/>).
    /// </summary>
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

    /// <summary>Replaces a message's attachment records (media fetched after the message was stored).</summary>
    Task UpdateAttachmentsAsync(long messageId, IReadOnlyList<AttachmentInfo> attachments, CancellationToken cancellationToken);
}
