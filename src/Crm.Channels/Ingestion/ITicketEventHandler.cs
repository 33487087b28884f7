
namespace Crm.Channels.Ingestion;

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
