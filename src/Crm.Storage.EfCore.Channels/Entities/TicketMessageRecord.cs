using Crm.Storage.EfCore.Entities;
namespace Crm.Storage.EfCore.Channels.Entities;

/// <summary>A row of <c>ticket_messages</c>; unique on (channel, external message id).</summary>
internal sealed class TicketMessageRecord : ICrmRecord
{
    /// <summary>The id.</summary>
    public long Id { get; set; }

    /// <summary>The ticket.</summary>
    public long TicketId { get; set; }

    /// <summary><c>inbound</c> or <c>outbound</c>.</summary>
    public Crm.Channels.Tickets.MessageDirection Direction { get; set; } = Crm.Channels.Tickets.MessageDirection.Inbound;

    /// <summary>The channel.</summary>
    public string Channel { get; set; } = "";

    /// <summary>The transport's id.</summary>
    public string ExternalMessageId { get; set; } = "";

    /// <summary>Who wrote it.</summary>
    public string? Author { get; set; }

    /// <summary>Verbatim text.</summary>
    public string Text { get; set; } = "";

    /// <summary>Sanitised HTML.</summary>
    public string? Html { get; set; }

    /// <summary>Attachment metadata as JSON.</summary>
    public string? AttachmentsJson { get; set; }

    /// <summary>When it arrived.</summary>
    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>For outbound messages: <c>queued</c>, <c>sent</c>, <c>delivered</c>, <c>read</c> or <c>failed</c>.</summary>
    public Crm.Channels.Tickets.DeliveryStatus? DeliveryStatus { get; set; }

    /// <summary>Why delivery failed or is being retried.</summary>
    public string? DeliveryError { get; set; }

    /// <summary>How many times sending was attempted.</summary>
    public int DeliveryAttempts { get; set; }

    /// <summary>When a queued message is due (next attempt).</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>Until when a host instance holds the claim on a queued message.</summary>
    public DateTimeOffset? LeasedUntil { get; set; }

    /// <summary>The template to send instead of free text, as JSON.</summary>
    public string? TemplateJson { get; set; }

    /// <summary>For a chat reply: when to email it too if no widget has received it by then.</summary>
    public DateTimeOffset? OfflineCopyDueAt { get; set; }

    /// <summary>True when the sender's identity was proved.</summary>
    public bool IdentityVerified { get; set; }

    /// <summary>The sender's address when it is not the ticket's contact.</summary>
    public string? OtherSender { get; set; }
}
