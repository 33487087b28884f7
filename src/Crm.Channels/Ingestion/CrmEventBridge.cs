using Crm.Channels.Tickets;
using Crm.Events;

namespace Crm.Channels.Ingestion;

/// <summary>
/// Publishes the conversation's ticket events as the CRM's integration events (<c>ticket.created</c>,
/// <c>ticket.message_received</c>, <c>ticket.reply_delivery_changed</c>): one handler among the ticket event handlers,
/// so every path that raises a ticket event publishes it.
/// </summary>
internal sealed class CrmEventBridge(CrmEventPublisher events, TimeProvider time) : ITicketEventHandler
{
    public async ValueTask HandleAsync(TicketEvent ticketEvent, CancellationToken cancellationToken)
    {
        var (ticket, message) = (ticketEvent.Ticket, ticketEvent.Message);
        var now = time.GetUtcNow();
        if (ticketEvent.Contact is { Created: true } contact)
        {
            // The person first, then what they wrote.
            await events.PublishAsync(new ContactCreatedEvent(contact.Id, contact.Email, contact.Phone, message.Channel) { Timestamp = now }, cancellationToken).ConfigureAwait(false);
        }

        await (ticketEvent.Kind switch
        {
            TicketEventKind.TicketCreated => events.PublishAsync(
                new TicketCreatedEvent(ticket.Id, ticket.Channel, ticket.Subject, ticket.ContactId, message.Id, message.Text) { Timestamp = now }, cancellationToken),
            TicketEventKind.MessageAdded => events.PublishAsync(
                new TicketMessageReceivedEvent(ticket.Id, message.Channel, ticket.ContactId, message.Id, message.Text, ticketEvent.Reopened) { Timestamp = now }, cancellationToken),
            _ => events.PublishAsync(TicketCrmEvents.DeliveryOf(message, now), cancellationToken),
        }).ConfigureAwait(false);
    }
}
