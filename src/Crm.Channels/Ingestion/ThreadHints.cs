
namespace Crm.Channels.Ingestion;

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
