using Crm.Channels.Tickets;

namespace Crm.Channels.Endpoints;

/// <summary>A ticket in the agents' API.</summary>
public sealed record TicketDto(long Id, string Channel, string Status, string? Subject, long? ContactId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>Email: the addresses agents' replies copy in.</summary>
    public IReadOnlyList<string> Cc { get; init; } = [];

    /// <summary>Email: the inbox the ticket came to, which answers it; null when none of ours was named (chat, WhatsApp, mail forwarded in), and the default inbox answers it.</summary>
    public string? Inbox { get; init; }

    internal static TicketDto From(Ticket t) => new(t.Id, t.Channel, TicketStatusNames.ToApi(t.Status), t.Subject, t.ContactId, t.CreatedAt, t.UpdatedAt) { Cc = t.Cc, Inbox = t.Inbox };
}

/// <summary>One page of tickets in the agents' API.</summary>
public sealed record TicketPageDto(IReadOnlyList<TicketDto> Items, int Page, int PageSize, int Total);

/// <summary>A message in the agents' API. <see cref="Text"/> is untrusted customer text: HTML-escape it when displaying.</summary>
/// <remarks>
/// Outbound messages carry <see cref="DeliveryStatus"/> (<c>queued</c>, <c>sent</c>, <c>delivered</c>, <c>read</c>,
/// <c>failed</c>) and, when it failed or is being retried, <see cref="Error"/>; <see cref="IdentityVerified"/> is true
/// for chat messages the customer's site signed. <see cref="Html"/> refers to kept inline images by their download URL.
/// </remarks>
public sealed record TicketMessageDto(
    long Id, string Direction, string Channel, string ExternalMessageId, string? Author, string Text, string? Html, IReadOnlyList<AttachmentDto> Attachments, DateTimeOffset ReceivedAt,
    string? DeliveryStatus, string? Error, bool IdentityVerified)
{
    /// <summary>The sender's address when it is not the ticket's contact (a Cc'd colleague, or someone quoting the thread).</summary>
    public string? OtherSender { get; init; }

    internal static TicketMessageDto From(TicketMessage m) => From(m, static _ => null);

    internal static TicketMessageDto From(TicketMessage m, Func<AttachmentInfo, string?> downloadUrl)
    {
        var html = Crm.Channels.Attachments.InlineImages.Resolve(m.Html, m.Attachments, downloadUrl);
        return new(
            m.Id, m.Direction == MessageDirection.Inbound ? "inbound" : "outbound", m.Channel, m.ExternalMessageId, m.Author, m.Text, html,
            m.Attachments.Select(a => new AttachmentDto(a.FileName, a.ContentType, a.Size, a.Inline, downloadUrl(a) ?? a.Url, a.NotKept)).ToList(),
            m.ReceivedAt, (m.DeliveryStatus is { } delivery ? DeliveryStatusNames.ToApi(delivery) : null), m.DeliveryError, m.IdentityVerified)
        {
            OtherSender = m.OtherSender,
        };
    }
}

/// <summary>An attachment in the agents' API.</summary>
/// <param name="FileName">The sender's file name, or <c>attachment-N.ext</c> when it had none.</param>
/// <param name="ContentType">The MIME type.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="Inline">True for a part the sender placed in the body.</param>
/// <param name="Url">Where to download it (an agent's request), or the transport's URL when the bytes were not kept.</param>
/// <param name="NotKept">Why the bytes were not kept, when they were not.</param>
public sealed record AttachmentDto(string? FileName, string ContentType, long? Size, bool Inline, string? Url, string? NotKept);

/// <summary>A ticket with its contact and messages in the agents' API.</summary>
public sealed record TicketDetailsDto(long Id, string Channel, string Status, string? Subject, ContactSummary? Contact, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<TicketMessageDto> Messages)
{
    /// <summary>True when earlier messages exist than <see cref="Messages"/> holds: ask again with <c>before</c> = the first one's id.</summary>
    public bool HasOlderMessages { get; init; }

    /// <summary>Email: the addresses agents' replies copy in (a reply's <c>cc</c> changes it).</summary>
    public IReadOnlyList<string> Cc { get; init; } = [];

    /// <summary>Email: the inbox the ticket came to, which answers it; null when none of ours was named (chat, WhatsApp, mail forwarded in), and the default inbox answers it.</summary>
    public string? Inbox { get; init; }

    internal static TicketDetailsDto From(TicketDetails d) => new(
        d.Ticket.Id, d.Ticket.Channel, TicketStatusNames.ToApi(d.Ticket.Status), d.Ticket.Subject, d.Contact, d.Ticket.CreatedAt, d.Ticket.UpdatedAt,
        d.Messages.Select(m => TicketMessageDto.From(m)).ToList())
    {
        Cc = d.Ticket.Cc,
        Inbox = d.Ticket.Inbox,
    };

    internal static TicketDetailsDto From(TicketDetails d, Func<AttachmentInfo, string?> downloadUrl) => new(
        d.Ticket.Id, d.Ticket.Channel, TicketStatusNames.ToApi(d.Ticket.Status), d.Ticket.Subject, d.Contact, d.Ticket.CreatedAt, d.Ticket.UpdatedAt,
        d.Messages.Select(m => TicketMessageDto.From(m, downloadUrl)).ToList())
    {
        HasOlderMessages = d.HasOlderMessages,
        Cc = d.Ticket.Cc,
        Inbox = d.Ticket.Inbox,
    };
}
