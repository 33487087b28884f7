using System.Text.Json.Serialization;

namespace Crm.Channels.Chat;

/// <summary>The chat widget's JSON body.</summary>
/// <param name="Name">The visitor's name.</param>
/// <param name="Email">The visitor's email address.</param>
/// <param name="Message">What they wrote.</param>
/// <param name="ConversationId">The <c>conversationId</c> of an earlier answer, for follow-ups (with its visitor token as bearer).</param>
/// <param name="ClientMessageId">The widget's own id for this message (a random UUID): a retried POST with the same id is stored once.</param>
/// <param name="IdentityHash">The customer's site's signature of the email (hex HMAC-SHA256 of the lower-cased email).</param>
public sealed record ChatMessageRequest(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("conversationId")] string? ConversationId,
    [property: JsonPropertyName("clientMessageId")] string? ClientMessageId = null,
    [property: JsonPropertyName("identityHash")] string? IdentityHash = null);
