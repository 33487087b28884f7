namespace Crm.Events;

/// <summary>
/// Receives CRM events in process, after the store committed what they report. Register with
/// <c>services.AddCrmEventHandler&lt;THandler&gt;()</c> (or <c>.AddEventHandler&lt;THandler&gt;()</c> on either feature's
/// builder); implement it for one event type, several, or <see cref="CrmEvent"/> itself for all of them. A handler runs
/// on the path that made the change (an intake request, the dispatcher, the reply outbox): keep it short, and hand
/// slow work to a queue of your own. Its exceptions are logged and never undo or fail the change.
/// </summary>
/// <typeparam name="TEvent">The event type handled.</typeparam>
public interface ICrmEventHandler<in TEvent>
    where TEvent : CrmEvent
{
    /// <summary>Handles one event.</summary>
    ValueTask HandleAsync(TEvent crmEvent, CancellationToken cancellationToken);
}
