using Crm.Channels.Tickets;

namespace Crm.Channels.Ingestion;

/// <summary>
/// One message as a channel adapter hands it to the ingestion pipeline: the transport's details
/// normalised, nothing stored yet.
/// </summary>
public sealed record InboundMessage
{
    /// <summary>The channel name: lower-case letters, digits, <c>-</c> or <c>_</c>.</summary>
    public required string Channel { get; init; }

    /// <summary>The transport's id for this message. The same id on the same channel is stored once.</summary>
    public required string ExternalMessageId { get; init; }

    /// <summary>Who sent it.</summary>
    public required SenderIdentity Sender { get; init; }

    /// <summary>The subject, for transports that have one; a new ticket takes it as its subject.</summary>
    public string? Subject { get; init; }

    /// <summary>The plain text (verbatim).</summary>
    public string Text { get; init; } = "";

    /// <summary>Sanitised HTML, for transports that carry it. Adapters must sanitise before handing it over.</summary>
    public string? Html { get; init; }

    /// <summary>Attachment metadata.</summary>
    public IReadOnlyList<AttachmentInfo> Attachments { get; init; } = [];

    /// <summary>What the transport says about which conversation this belongs to.</summary>
    public ThreadHints Thread { get; init; } = ThreadHints.None;

    /// <summary>Email: the other people the sender copied in (<c>Cc</c>), our own addresses left out.</summary>
    public IReadOnlyList<string> Cc { get; init; } = [];

    /// <summary>Email: the inbox the message came to (<c>AddEmailInbox</c>'s name); a new ticket remembers it.</summary>
    public string? Inbox { get; init; }

    /// <summary>When the transport received it; the pipeline uses its clock when unset.</summary>
    public DateTimeOffset? ReceivedAt { get; init; }
}
