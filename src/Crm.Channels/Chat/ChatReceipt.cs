using System.Text.Json.Serialization;

namespace Crm.Channels.Chat;

/// <summary>The chat intake's answer: the ticket receipt plus the visitor token that follow-ups, the transcript and the event stream need.</summary>
/// <param name="Id">The ticket number.</param>
/// <param name="Channel">Always <c>chat</c>.</param>
/// <param name="Status">The ticket's status, lower-case.</param>
/// <param name="ConversationId">The conversation to name in follow-ups; null in a duplicate answer to a request that did not hold the conversation's token.</param>
/// <param name="MessageId">The stored message's id.</param>
/// <param name="Duplicate">True when a retried message had been stored before.</param>
/// <param name="VisitorToken">
/// Send as <c>Authorization: Bearer</c> with follow-ups and reads of this conversation. A duplicate answer carries it
/// only to a request that sent it: an email address and a client message id are not proof of being that visitor.
/// </param>
/// <param name="IdentityVerified">True when the customer's site signed the visitor's identity.</param>
public sealed record ChatReceipt(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("conversationId")] string? ConversationId,
    [property: JsonPropertyName("messageId")] long MessageId,
    [property: JsonPropertyName("duplicate")] bool Duplicate,
    [property: JsonPropertyName("visitorToken")] string? VisitorToken,
    [property: JsonPropertyName("identityVerified")] bool IdentityVerified);
