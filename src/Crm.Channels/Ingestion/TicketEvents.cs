using Microsoft.Extensions.Logging;

namespace Crm.Channels.Ingestion;

/// <summary>Hands a ticket event to every subscribed <see cref="ITicketEventHandler"/>.</summary>
internal static partial class TicketEvents
{
    /// <summary>Raises the event; a handler's failure is logged and never reaches the caller (the change is stored already).</summary>
    public static async Task RaiseAsync(IEnumerable<ITicketEventHandler> handlers, TicketEvent ticketEvent, ILogger logger, CancellationToken cancellationToken)
    {
        foreach (var handler in handlers)
        {
            try
            {
                await handler.HandleAsync(ticketEvent, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogHandlerFailed(logger, ex, handler.GetType().Name, ticketEvent.Kind, ticketEvent.Ticket.Id);
            }
        }
    }

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "Ticket event handler {Handler} failed on {Kind} for ticket {TicketId}")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string handler, TicketEventKind kind, long ticketId);
}
