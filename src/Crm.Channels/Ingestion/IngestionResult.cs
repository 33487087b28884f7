using Crm.Channels.Tickets;

namespace Crm.Channels.Ingestion;

/// <summary>The outcome of ingesting one message.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Ticket">The ticket the message belongs to, as it is now.</param>
/// <param name="Message">The stored message (for a duplicate, the copy stored first).</param>
/// <param name="Reopened">True when the message put a solved or pending ticket back to open.</param>
public sealed record IngestionResult(IngestionOutcome Outcome, Ticket Ticket, TicketMessage Message, bool Reopened = false)
{
    /// <summary>The sender's contact as resolved for this message, when the channel identified one.</summary>
    public ContactSummary? Contact { get; init; }
}
