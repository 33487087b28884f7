using System.Text.Json.Serialization;

namespace Crm.Channels.Chat;

/// <summary>The chat widget's JSON body.</summary>
/// <param name="Name">The visitor's name.</param>
/// <param name="Email">The visitor's email address.</param>
/// <param name="Message">What they wrote.</param>
/// <param name="ConversationId">The <c>conversationId</c> of an earlier answer, for follow-ups.</param>
public sealed record ChatMessageRequest(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("conversationId")] string? ConversationId);
