using System.Text.Json;
using System.Text.Json.Serialization;

namespace Crm.Channels.Chat;

/// <summary>The chat's JSON, source-generated: strict about what visitors send, as the widget writes it.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, AllowTrailingCommas = false, ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(ChatMessageRequest))]
[JsonSerializable(typeof(ChatReceipt))]
[JsonSerializable(typeof(ConversationMessage))]
[JsonSerializable(typeof(IReadOnlyList<ConversationMessage>))]
internal sealed partial class ChatJsonContext : JsonSerializerContext;
