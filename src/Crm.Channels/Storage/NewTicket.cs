
namespace Crm.Channels.Storage;

/// <summary>A ticket to create.</summary>
/// <param name="Channel">The channel.</param>
/// <param name="Subject">The title.</param>
/// <param name="ContactId">The contact, when known.</param>
/// <param name="ConversationKey">A fresh unguessable key.</param>
/// <param name="CreatedAt">The time of the first message.</param>
public sealed record NewTicket(string Channel, string? Subject, long? ContactId, string ConversationKey, DateTimeOffset CreatedAt)
{
    /// <summary>Email: the addresses the customer copied in (<see cref="Tickets.Ticket.Cc"/>).</summary>
    public IReadOnlyList<string> Cc { get; init; } = [];

    /// <summary>Email: the inbox the first message came to (<see cref="Tickets.Ticket.Inbox"/>).</summary>
    public string? Inbox { get; init; }
}
