using Crm.Channels.Tickets;

namespace Crm.Channels.WhatsApp;

/// <summary>WhatsApp's customer-service window: free text only within 24 hours of the customer's last message.</summary>
public static class WhatsAppWindow
{
    /// <summary>How long after the customer's last message a business may send free text.</summary>
    public static readonly TimeSpan Length = TimeSpan.FromHours(24);

    /// <summary>The customer's last inbound message, from which the window runs; null when they never wrote.</summary>
    public static DateTimeOffset? OpenedAt(TicketDetails ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        return ticket.Messages.LastOrDefault(m => m.Direction == MessageDirection.Inbound)?.ReceivedAt;
    }

    /// <summary>How long free text may still be sent (zero or less: closed).</summary>
    public static TimeSpan Left(TicketDetails ticket, DateTimeOffset now) =>
        OpenedAt(ticket) is { } opened ? opened + Length - now : TimeSpan.Zero;
}
