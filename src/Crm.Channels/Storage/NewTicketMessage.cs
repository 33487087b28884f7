using Crm.Channels.Tickets;

namespace Crm.Channels.Storage;

/// <summary>A message to store.</summary>
/// <param name="Channel">The channel.</param>
/// <param name="ExternalMessageId">The transport's id.</param>
/// <param name="Direction">Inbound or outbound.</param>
/// <param name="Author">Who wrote it.</param>
/// <param name="Text">Verbatim text.</param>
/// <param name="Html">Sanitised HTML.</param>
/// <param name="Attachments">Attachment metadata.</param>
/// <param name="ReceivedAt">When it arrived.</param>
public sealed record NewTicketMessage(
    string Channel,
    string ExternalMessageId,
    MessageDirection Direction,
    string? Author,
    string Text,
    string? Html,
    IReadOnlyList<AttachmentInfo> Attachments,
    DateTimeOffset ReceivedAt)
{
    /// <summary>For an outbound message: <see cref="Tickets.DeliveryStatus.Queued"/> puts it in the outbox.</summary>
    public DeliveryStatus? DeliveryStatus { get; init; }

    /// <summary>For an outbound message: the template to send instead of free text.</summary>
    public ReplyTemplate? Template { get; init; }

    /// <summary>For a chat reply: when to email it too if the visitor's widget has not received it by then.</summary>
    public DateTimeOffset? OfflineCopyDueAt { get; init; }

    /// <summary>True when the sender's identity was proved.</summary>
    public bool IdentityVerified { get; init; }

    /// <summary>The sender's address when it is not the ticket's contact (see <see cref="Tickets.TicketMessage.OtherSender"/>).</summary>
    public string? OtherSender { get; init; }

    /// <summary>
    /// The message ids this message answers (email <c>In-Reply-To</c> and <c>References</c>). The store remembers those
    /// no ticket holds yet, for this ticket, so that another mail answering the same unknown parent joins it
    /// (<see cref="ITicketStore.FindTicketByMessageIdsAsync"/>); the first ticket to quote an id keeps it.
    /// </summary>
    public IReadOnlyList<string> QuotedMessageIds { get; init; } = [];

    /// <summary>When set, the ticket's <see cref="Tickets.Ticket.Cc"/> becomes this list as the message is stored.</summary>
    public IReadOnlyList<string>? TicketCc { get; init; }
}
