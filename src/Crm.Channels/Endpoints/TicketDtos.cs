using Crm.Channels.Tickets;

namespace Crm.Channels.Endpoints;

/// <summary>A ticket in the agents' API.</summary>
public sealed record TicketDto(long Id, string Channel, string Status, string? Subject, long? ContactId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    internal static TicketDto From(Ticket t) => new(t.Id, t.Channel, TicketStatusNames.ToApi(t.Status), t.Subject, t.ContactId, t.CreatedAt, t.UpdatedAt);
}

/// <summary>One page of tickets in the agents' API.</summary>
public sealed record TicketPageDto(IReadOnlyList<TicketDto> Items, int Page, int PageSize, int Total);

/// <summary>A message in the agents' API. <see cref="Text"/> is untrusted customer text: HTML-escape it when displaying.</summary>
/// <remarks>
/// Outbound messages carry <see cref="DeliveryStatus"/> (<c>queued</c>, <c>sent</c>, <c>delivered</c>, <c>read</c>,
/// <c>failed</c>) and, when it failed or is being retried, <see cref="Error"/>; <see cref="IdentityVerified"/> is true
/// for chat messages the customer's site signed.
/// </remarks>
public sealed record TicketMessageDto(
    long Id, string Direction, string Channel, string ExternalMessageId, string? Author, string Text, string? Html, IReadOnlyList<AttachmentInfo> Attachments, DateTimeOffset ReceivedAt,
    string? DeliveryStatus, string? Error, bool IdentityVerified)
{
    internal static TicketMessageDto From(TicketMessage m) => new(
        m.Id, m.Direction == MessageDirection.Inbound ? "inbound" : "outbound", m.Channel, m.ExternalMessageId, m.Author, m.Text, m.Html, m.Attachments, m.ReceivedAt,
        m.DeliveryStatus?.ToString().ToLowerInvariant(), m.DeliveryError, m.IdentityVerified);
}

/// <summary>A ticket with its contact and messages in the agents' API.</summary>
public sealed record TicketDetailsDto(long Id, string Channel, string Status, string? Subject, ContactSummary? Contact, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<TicketMessageDto> Messages)
{
    internal static TicketDetailsDto From(TicketDetails d) => new(
        d.Ticket.Id, d.Ticket.Channel, TicketStatusNames.ToApi(d.Ticket.Status), d.Ticket.Subject, d.Contact, d.Ticket.CreatedAt, d.Ticket.UpdatedAt,
        d.Messages.Select(TicketMessageDto.From).ToList());
}
