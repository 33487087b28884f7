using Crm.Storage.EfCore.Entities;
namespace Crm.Storage.EfCore.Channels.Entities;

/// <summary>A row of <c>tickets</c>.</summary>
internal sealed class TicketRecord : ICrmRecord
{
    /// <summary>The ticket number.</summary>
    public long Id { get; set; }

    /// <summary>The channel it started on.</summary>
    public string Channel { get; set; } = "";

    /// <summary><c>open</c>, <c>pending</c>, <c>solved</c> or <c>closed</c>.</summary>
    public Crm.Channels.Tickets.TicketStatus Status { get; set; } = Crm.Channels.Tickets.TicketStatus.Open;

    /// <summary>The title.</summary>
    public string? Subject { get; set; }

    /// <summary>The contact.</summary>
    public long? ContactId { get; set; }

    /// <summary>The customer-side key that appends to this ticket; unique.</summary>
    public string ConversationKey { get; set; } = "";

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it last changed.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The addresses copied in, one per line (email tickets); null when none.</summary>
    public string? Cc { get; set; }

    /// <summary>The inbox the first message came to (email tickets); null when none of ours was named (chat, WhatsApp, mail forwarded in), and the default inbox answers it.</summary>
    public string? Inbox { get; set; }

    /// <summary>Its messages.</summary>
    public List<TicketMessageRecord> Messages { get; set; } = [];
}
