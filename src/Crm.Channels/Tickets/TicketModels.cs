namespace Crm.Channels.Tickets;

/// <summary>Where a ticket stands in its life.</summary>
public enum TicketStatus
{
    /// <summary>Waiting for an agent.</summary>
    Open,

    /// <summary>Waiting for the customer.</summary>
    Pending,

    /// <summary>Answered; a customer reply reopens it.</summary>
    Solved,

    /// <summary>Finished for good; a customer reply starts a new ticket.</summary>
    Closed,
}

/// <summary>Whether a message came from the customer or went to them.</summary>
public enum MessageDirection
{
    /// <summary>From the customer.</summary>
    Inbound,

    /// <summary>From an agent to the customer.</summary>
    Outbound,
}

/// <summary>Where an outbound message stands on its way to the customer.</summary>
public enum DeliveryStatus
{
    /// <summary>Stored in the outbox, waiting to be sent (or to be retried after a temporary failure).</summary>
    Queued,

    /// <summary>The channel accepted it.</summary>
    Sent,

    /// <summary>The channel reports it reached the customer's device or mailbox.</summary>
    Delivered,

    /// <summary>The customer read it (or the chat widget showed it).</summary>
    Read,

    /// <summary>It will not be delivered; <see cref="TicketMessage.DeliveryError"/> says why.</summary>
    Failed,
}

/// <summary>A template the channel fills in instead of free text (a Twilio Content template for WhatsApp).</summary>
/// <param name="Id">The template's id (Twilio's <c>ContentSid</c>).</param>
/// <param name="Variables">The template's variables as a JSON object (Twilio's <c>ContentVariables</c>), or null.</param>
public sealed record ReplyTemplate(string Id, string? Variables);

/// <summary>A support ticket: one conversation with one contact on one channel.</summary>
/// <param name="Id">The ticket number agents see (also used in subject tags such as <c>[#123]</c>).</param>
/// <param name="Channel">The channel the conversation started on (<c>chat</c>, <c>email</c>, <c>whatsapp</c> or a custom one).</param>
/// <param name="Status">Where the ticket stands.</param>
/// <param name="Subject">A short title.</param>
/// <param name="ContactId">The customer, when the channel identified one.</param>
/// <param name="ConversationKey">An unguessable key that lets the customer's side append to this ticket (the chat widget's <c>conversationId</c>).</param>
/// <param name="CreatedAt">When the first message arrived.</param>
/// <param name="UpdatedAt">When the ticket last changed.</param>
public sealed record Ticket(
    long Id,
    string Channel,
    TicketStatus Status,
    string? Subject,
    long? ContactId,
    string ConversationKey,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>
    /// Email: the addresses the customer copied in (<c>Cc</c>), which agents' replies keep; never the customer's own or
    /// one of ours. Agents may change it with a reply.
    /// </summary>
    public IReadOnlyList<string> Cc { get; init; } = [];

    /// <summary>Email: the inbox the first message came to, which answers it (its From, signature and transport); null when none of ours was named (chat, WhatsApp, mail forwarded in), and the default inbox answers it.</summary>
    public string? Inbox { get; init; }
}

/// <summary>One stored message of a ticket.</summary>
/// <param name="Id">The store's id.</param>
/// <param name="TicketId">The ticket it belongs to.</param>
/// <param name="Direction">Inbound or outbound.</param>
/// <param name="Channel">The channel it travelled on.</param>
/// <param name="ExternalMessageId">The transport's id (Message-ID, MessageSid, ...): unique per channel.</param>
/// <param name="Author">Who wrote it, as the transport named them.</param>
/// <param name="Text">The plain text, verbatim: never render it as HTML.</param>
/// <param name="Html">Sanitised HTML, when the transport carried HTML.</param>
/// <param name="Attachments">Metadata of the attachments.</param>
/// <param name="ReceivedAt">When it arrived.</param>
public sealed record TicketMessage(
    long Id,
    long TicketId,
    MessageDirection Direction,
    string Channel,
    string ExternalMessageId,
    string? Author,
    string Text,
    string? Html,
    IReadOnlyList<AttachmentInfo> Attachments,
    DateTimeOffset ReceivedAt)
{
    /// <summary>For outbound messages: where delivery stands; null for inbound ones.</summary>
    public DeliveryStatus? DeliveryStatus { get; init; }

    /// <summary>For a failed (or retried) outbound message: the channel's words.</summary>
    public string? DeliveryError { get; init; }

    /// <summary>For outbound messages: how many times sending was attempted.</summary>
    public int DeliveryAttempts { get; init; }

    /// <summary>For outbound messages: the template to send instead of free text.</summary>
    public ReplyTemplate? Template { get; init; }

    /// <summary>True when the sender's identity was proved (a chat message signed by the customer's site).</summary>
    public bool IdentityVerified { get; init; }

    /// <summary>
    /// The sender's address when it is not the ticket's contact: a colleague in Cc answering, or someone who quoted the
    /// conversation. The message joins the ticket; the ticket's contact stays who it was.
    /// </summary>
    public string? OtherSender { get; init; }
}

/// <summary>Metadata of one attachment (the bytes are not stored by the ticket store).</summary>
/// <param name="FileName">The file name the sender gave.</param>
/// <param name="ContentType">The MIME type.</param>
/// <param name="Size">The size in bytes, when known.</param>
/// <param name="Url">Where the bytes can be fetched, when the transport hosts them.</param>
public sealed record AttachmentInfo(string? FileName, string ContentType, long? Size, string? Url = null)
{
    /// <summary>Where the bytes are kept (<see cref="Attachments.IAttachmentStore"/> key), when they were kept.</summary>
    public string? StorageKey { get; init; }

    /// <summary>The MIME <c>Content-ID</c> an HTML body refers to as <c>cid:</c>, for inline parts.</summary>
    public string? ContentId { get; init; }

    /// <summary>True for a part the sender placed in the body (an inline image, an inline PDF).</summary>
    public bool Inline { get; init; }

    /// <summary>Why the bytes were not kept (too large), when they were not.</summary>
    public string? NotKept { get; init; }
}

/// <summary>A contact as the channels see it.</summary>
/// <param name="Id">The store's id.</param>
/// <param name="Email">Lower-cased email address.</param>
/// <param name="Phone">E.164 phone number.</param>
/// <param name="Name">Display name.</param>
public sealed record ContactSummary(long Id, string? Email, string? Phone, string? Name)
{
    /// <summary>
    /// True on the summary <see cref="Storage.ITicketContactStore.ResolveContactAsync"/> returns when that call created the
    /// contact (it publishes <c>contact.created</c>); false everywhere else. Not part of the HTTP API.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Created { get; init; }

    /// <summary>
    /// The contact's ids on channels that know people by neither email nor phone, by channel (<c>telegram</c> →
    /// <c>123456</c>): where a reply sender sends. Filled on a ticket's details and on a resolved contact.
    /// </summary>
    public IReadOnlyDictionary<string, string> ExternalIds { get; init; } = EmptyExternalIds;

    private static readonly IReadOnlyDictionary<string, string> EmptyExternalIds = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>A person's id on one channel (a Telegram user id): unique within the channel, meaningless outside it.</summary>
/// <param name="Channel">The channel's name.</param>
/// <param name="Id">The id the channel gives the person.</param>
public sealed record ExternalIdentity(string Channel, string Id)
{
    /// <summary><c>telegram:123456</c>.</summary>
    public override string ToString() => $"{Channel}:{Id}";
}

/// <summary>A ticket with its contact and messages in the order they arrived.</summary>
/// <param name="Ticket">The ticket.</param>
/// <param name="Contact">Its contact, when known.</param>
/// <param name="Messages">Its messages, oldest first.</param>
public sealed record TicketDetails(Ticket Ticket, ContactSummary? Contact, IReadOnlyList<TicketMessage> Messages)
{
    /// <summary>
    /// The bytes of the kept attachments of <see cref="Messages"/>, customers' and agents' (what <c>MaxTicketBytes</c>
    /// limits when the details hold every message).
    /// </summary>
    public long KeptAttachmentBytes => Messages.SelectMany(m => m.Attachments).Where(a => a.StorageKey is not null).Sum(a => a.Size ?? 0);

    /// <summary>True when <see cref="Messages"/> is a window (<see cref="Storage.MessageWindow"/>) and earlier messages exist.</summary>
    public bool HasOlderMessages { get; init; }
}
