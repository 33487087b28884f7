using Crm.Channels.Storage;
using Crm.Channels.Tickets;
using Crm.Events;

namespace Crm.Channels.Management;

/// <summary>
/// An agent's status change, with its <c>ticket.status_changed</c> event: used by the API and any admin UI alike, so the
/// event is published whoever made the change.
/// </summary>
public sealed class TicketStatusChanges
{
    private readonly ITicketStore _store;
    private readonly CrmEventPublisher _events;
    private readonly TimeProvider _time;

    // Resolved from AddCrmChannels(): the event publisher is not part of the public API.
    internal TicketStatusChanges(ITicketStore store, CrmEventPublisher events, TimeProvider time)
    {
        _store = store;
        _events = events;
        _time = time;
    }

    /// <summary>Sets the ticket's status.</summary>
    /// <returns>The ticket afterwards, or null when there is none.</returns>
    public async Task<Ticket?> SetAsync(long ticketId, TicketStatus status, CancellationToken cancellationToken)
    {
        var before = (await _store.FindTicketAsync(ticketId, cancellationToken).ConfigureAwait(false))?.Status;
        var now = _time.GetUtcNow();
        var ticket = await _store.SetTicketStatusAsync(ticketId, status, now, cancellationToken).ConfigureAwait(false);
        if (ticket is not null && before is { } previous && TicketCrmEvents.StatusChange(ticketId, previous, ticket.Status, now) is { } changed)
        {
            await _events.PublishAsync(changed, cancellationToken).ConfigureAwait(false);
        }

        return ticket;
    }
}
