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

    /// <summary>When the transport received it; the pipeline uses its clock when unset.</summary>
    public DateTimeOffset? ReceivedAt { get; init; }
}

/// <summary>Who sent a message. At least one of <see cref="Email"/> and <see cref="Phone"/> identifies a contact.</summary>
/// <param name="Email">The sender's address (the pipeline lower-cases it).</param>
/// <param name="Phone">The sender's phone number in E.164, or a form the pipeline can normalise to it (<c>00</c> prefix, spaces, dashes).</param>
/// <param name="Name">The display name (recorded as the message's author).</param>
/// <param name="IsVerified">
/// True when the transport authenticated the sender (a signed WhatsApp webhook names the number Twilio saw). Data from
/// an unverified sender (chat, an email's From) is recorded on the message only and never changes a stored contact.
/// </param>
public sealed record SenderIdentity(string? Email = null, string? Phone = null, string? Name = null, bool IsVerified = false);

/// <summary>
/// Conversation clues, tried in this order: replies to stored message ids, the conversation key,
/// the ticket number when the sender is that ticket's contact, and the sender's open ticket on the channel.
/// </summary>
public sealed record ThreadHints
{
    /// <summary>No clues: a new ticket.</summary>
    public static ThreadHints None { get; } = new();

    /// <summary>External message ids this message answers (email In-Reply-To and References).</summary>
    public IReadOnlyList<string> ReplyTo { get; init; } = [];

    /// <summary>The ticket's conversation key, as handed to the customer earlier (chat <c>conversationId</c>).</summary>
    public string? ConversationKey { get; init; }

    /// <summary>A ticket number the customer quoted (an email subject tag such as <c>[#123]</c>).</summary>
    public long? TicketNumber { get; init; }

    /// <summary>Join the sender's latest unclosed ticket on this channel (messaging apps with no threads).</summary>
    public bool JoinOpenTicketOfSender { get; init; }
}
