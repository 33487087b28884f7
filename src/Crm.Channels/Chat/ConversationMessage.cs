using System.Text.Json.Serialization;

namespace Crm.Channels.Chat;

/// <summary>A message of a chat conversation as the visitor sees it: nothing about delivery, agents' accounts or other tickets.</summary>
/// <param name="Id">The message id (also the event stream's event id).</param>
/// <param name="Direction"><c>inbound</c> (the visitor) or <c>outbound</c> (an agent).</param>
/// <param name="Author">Who wrote it.</param>
/// <param name="Text">The text, verbatim: render it as text, never as HTML.</param>
/// <param name="SentAt">When it was written.</param>
/// <param name="Attachments">Its files, each with a short-lived signed link.</param>
public sealed record ConversationMessage(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("direction")] string Direction,
    [property: JsonPropertyName("author")] string? Author,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("sentAt")] DateTimeOffset SentAt,
    [property: JsonPropertyName("attachments")] IReadOnlyList<ConversationAttachment> Attachments);
