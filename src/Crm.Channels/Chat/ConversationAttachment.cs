using System.Text.Json.Serialization;

namespace Crm.Channels.Chat;

/// <summary>A file of a chat message as the visitor sees it.</summary>
/// <param name="FileName">The file's name.</param>
/// <param name="ContentType">Its MIME type.</param>
/// <param name="Size">Its size in bytes, when known.</param>
/// <param name="Url">A signed link to it, relative to the chat's server, valid for <c>Crm:Attachments:LinkLifetime</c>; null when the file was not kept.</param>
public sealed record ConversationAttachment(
    [property: JsonPropertyName("fileName")] string? FileName,
    [property: JsonPropertyName("contentType")] string ContentType,
    [property: JsonPropertyName("size")] long? Size,
    [property: JsonPropertyName("url")] string? Url);
