
namespace Crm.Channels.Ingestion;

/// <summary>What the pipeline did with one message.</summary>
public enum IngestionOutcome
{
    /// <summary>A new ticket was opened with this message.</summary>
    TicketCreated,

    /// <summary>The message was added to an existing ticket.</summary>
    MessageAppended,

    /// <summary>The same message was stored before; nothing new was stored.</summary>
    Duplicate,
}
