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
    /// Finds the contact with this email (preferred) or phone, creating it when none matches.
    /// Must be safe under concurrent calls for the same identity: one contact results.
    /// </summary>
    /// <param name="email">Lower-cased email, or null.</param>
    /// <param name="phone">E.164 phone, or null.</param>
    /// <param name="name">Display name, used when the contact is created, or (when <paramref name="senderVerified"/>) has none.</param>
    /// <param name="senderVerified">
    /// True when the transport proved the sender owns this identity (a signed WhatsApp webhook). Only then may an
    /// existing contact's empty fields be filled in; an unverified claim (chat, email's From) never changes a stored contact.
    /// </param>
    /// <param name="now">The creation time.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ContactSummary> ResolveContactAsync(string? email, string? phone, string? name, bool senderVerified, DateTimeOffset now, CancellationToken cancellationToken);

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

    /// <summary>Reads one ticket with its contact and messages.</summary>
    Task<TicketDetails?> GetTicketDetailsAsync(long ticketId, CancellationToken cancellationToken);
}

/// <summary>A ticket to create.</summary>
/// <param name="Channel">The channel.</param>
/// <param name="Subject">The title.</param>
/// <param name="ContactId">The contact, when known.</param>
/// <param name="ConversationKey">A fresh unguessable key.</param>
/// <param name="CreatedAt">The time of the first message.</param>
public sealed record NewTicket(string Channel, string? Subject, long? ContactId, string ConversationKey, DateTimeOffset CreatedAt);

/// <summary>A message to store.</summary>
/// <param name="Channel">The channel.</param>
/// <param name="ExternalMessageId">The transport's id.</param>
/// <param name="Direction">Inbound or outbound.</param>
/// <param name="Author">Who wrote it.</param>
/// <param name="Text">Verbatim text.</param>
/// <param name="Html">Sanitised HTML.</param>
/// <param name="Attachments">Attachment metadata.</param>
/// <param name="ReceivedAt">When it arrived.</param>
public sealed record NewTicketMessage(
    string Channel,
    string ExternalMessageId,
    MessageDirection Direction,
    string? Author,
    string Text,
    string? Html,
    IReadOnlyList<AttachmentInfo> Attachments,
    DateTimeOffset ReceivedAt);

/// <summary>A filter and page over tickets.</summary>
/// <param name="Channel">Only this channel, when set.</param>
/// <param name="Status">Only this status, when set.</param>
/// <param name="Page">1-based page number.</param>
/// <param name="PageSize">Tickets per page.</param>
public sealed record TicketQuery(string? Channel = null, TicketStatus? Status = null, int Page = 1, int PageSize = 50);

/// <summary>One page of tickets.</summary>
/// <param name="Items">The tickets on this page.</param>
/// <param name="Page">1-based page number.</param>
/// <param name="PageSize">Tickets per page.</param>
/// <param name="Total">How many tickets match the filter.</param>
public sealed record TicketPage(IReadOnlyList<Ticket> Items, int Page, int PageSize, int Total);
