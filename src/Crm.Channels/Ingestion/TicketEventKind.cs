
namespace Crm.Channels.Ingestion;

/// <summary>What happened to a ticket.</summary>
public enum TicketEventKind
{
    /// <summary>A new ticket was opened.</summary>
    TicketCreated,

    /// <summary>A message was added to an existing ticket.</summary>
    MessageAdded,

    /// <summary>An agent's reply was stored in the outbox.</summary>
    ReplyQueued,

    /// <summary>The channel accepted a reply.</summary>
    ReplySent,

    /// <summary>A reply will not be delivered (<see cref="Tickets.TicketMessage.DeliveryError"/> says why).</summary>
    ReplyFailed,
}
