using Crm.Channels.Tickets;

namespace Crm.Channels.Ingestion;

/// <summary>What happened to a ticket.</summary>
public enum TicketEventKind
{
    /// <summary>A new ticket was opened.</summary>
    TicketCreated,

    /// <summary>A message was added to an existing ticket.</summary>
    MessageAdded,
}

/// <summary>A change the pipeline made, raised after it was stored.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Ticket">The ticket as it is now.</param>
/// <param name="Message">The message that caused it.</param>
/// <param name="Reopened">True when the message put a solved or pending ticket back to open.</param>
public sealed record TicketEvent(TicketEventKind Kind, Ticket Ticket, TicketMessage Message, bool Reopened);

/// <summary>
/// Subscribe to new tickets and messages (notify agents, push to a websocket, start a workflow).
/// Register any number with <c>AddTicketEventHandler&lt;T&gt;()</c>. Handlers run after the message is
/// stored; a handler that throws is logged and does not undo the ingestion or stop the other handlers.
/// </summary>
public interface ITicketEventHandler
{
    /// <summary>Handles one event.</summary>
    ValueTask HandleAsync(TicketEvent ticketEvent, CancellationToken cancellationToken);
}
