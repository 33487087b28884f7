using Crm.Channels.Tickets;

namespace Crm.Channels.Ingestion;

/// <summary>A change the pipeline made, raised after it was stored.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Ticket">The ticket as it is now.</param>
/// <param name="Message">The message that caused it.</param>
/// <param name="Reopened">True when the message put a solved or pending ticket back to open.</param>
public sealed record TicketEvent(TicketEventKind Kind, Ticket Ticket, TicketMessage Message, bool Reopened)
{
    /// <summary>For a customer's message: its sender's contact as resolved for it (<see cref="ContactSummary.Created"/> when new).</summary>
    public ContactSummary? Contact { get; init; }
}
