
namespace Crm.Channels.Ingestion;

/// <summary>What happened to a ticket.</summary>
public enum TicketEventKind
{
    /// <summary>A new ticket was opened.</summary>
    TicketCreated,

    /// <summary>A message was added to an existing ticket.</summary>
    MessageAdded,
}
