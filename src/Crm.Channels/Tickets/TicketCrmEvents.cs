using Crm.Events;

namespace Crm.Channels.Tickets;

/// <summary>The integration events about tickets, built in one place from the stored state.</summary>
internal static class TicketCrmEvents
{
    /// <summary>An outbound message's delivery as it is stored now.</summary>
    public static TicketReplyDeliveryChangedEvent DeliveryOf(TicketMessage reply, DateTimeOffset at) => new(
        reply.TicketId,
        reply.Id,
        reply.Channel,
        DeliveryStatusNames.ToApi(reply.DeliveryStatus ?? DeliveryStatus.Queued),
        reply.DeliveryError)
    {
        Timestamp = at,
    };

    /// <summary>A status change, or null when the status stayed.</summary>
    public static TicketStatusChangedEvent? StatusChange(long ticketId, TicketStatus before, TicketStatus after, DateTimeOffset at)
        => before == after ? null : new TicketStatusChangedEvent(ticketId, TicketStatusNames.ToApi(after), TicketStatusNames.ToApi(before)) { Timestamp = at };
}
