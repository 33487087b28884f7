using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crm.Events;

/// <summary>
/// Hands an event to every handler registered for its type, then to every handler of all events, one after the other.
/// A handler's failure is logged and goes no further: the change the event reports is stored already.
/// </summary>
internal sealed partial class CrmEventPublisher(IServiceProvider services, ILogger<CrmEventPublisher> logger)
{
    public async ValueTask PublishAsync<TEvent>(TEvent crmEvent, CancellationToken cancellationToken)
        where TEvent : CrmEvent
    {
        ArgumentNullException.ThrowIfNull(crmEvent);
        if (crmEvent.GetType() != typeof(TEvent))
        {
            // The handlers are found by the static type: a base-typed variable would skip the typed ones.
            throw new ArgumentException($"Publish {crmEvent.GetType().Name} as itself, not as {typeof(TEvent).Name}.", nameof(crmEvent));
        }

        foreach (var handler in services.GetServices<ICrmEventHandler<TEvent>>())
        {
            await InvokeAsync(handler, crmEvent, cancellationToken).ConfigureAwait(false);
        }

        foreach (var handler in services.GetServices<ICrmEventHandler<CrmEvent>>())
        {
            await InvokeAsync(handler, crmEvent, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask InvokeAsync<TEvent>(ICrmEventHandler<TEvent> handler, TEvent crmEvent, CancellationToken cancellationToken)
        where TEvent : CrmEvent
    {
        try
        {
            await handler.HandleAsync(crmEvent, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogHandlerFailed(logger, ex, handler.GetType().Name, crmEvent.Type, crmEvent.Id);
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Error, Message = "Event handler {Handler} failed on {EventType} {EventId}")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string handler, string eventType, string eventId);
}
