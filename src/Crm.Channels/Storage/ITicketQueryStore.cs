using Crm.Channels.Tickets;

namespace Crm.Channels.Storage;

/// <summary>
/// What agents' lists and open conversations read: ticket lists, and the messages written since a point (the live
/// chat's streams and the hosts' change watcher).
/// </summary>
public interface ITicketQueryStore
{
    /// <summary>Lists tickets, newest activity first.</summary>
    Task<TicketPage> ListTicketsAsync(TicketQuery query, CancellationToken cancellationToken);

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
}
