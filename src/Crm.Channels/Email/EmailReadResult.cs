using Crm.Mail;
using Crm.Channels.Ingestion;
using MimeKit;

namespace Crm.Channels.Email;

/// <summary>The outcome of reading one email.</summary>
/// <param name="Kind">What it is.</param>
/// <param name="Message">The message to ingest: for <see cref="EmailKind.Message"/>, and for a bounce should no sink act on it.</param>
/// <param name="Report">What a bounce says, for <see cref="EmailKind.Bounce"/>.</param>
/// <param name="Reason">Why it was classified so (for logs).</param>
public sealed record EmailReadResult(EmailKind Kind, InboundMessage? Message, DeliveryReport? Report, string Reason)
{
    /// <summary>The mail as taken for <paramref name="inbox"/> (its mailbox's or its webhook route's): its own recipients decide first.</summary>
    internal EmailReadResult ForInbox(string? inbox) =>
        inbox is not null && Message is { Inbox: null } message ? this with { Message = message with { Inbox = inbox } } : this;

    /// <summary>The MIME parts behind <see cref="InboundMessage.Attachments"/>, in the same order, for storing their bytes.</summary>
    internal IReadOnlyList<MimeEntity> AttachmentParts { get; init; } = [];

    /// <summary>Content the reading stored as new: deleted again when no stored message keeps it.</summary>
    internal IReadOnlyList<string> NewContent { get; init; } = [];
}
