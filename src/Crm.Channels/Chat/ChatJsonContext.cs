using System.Text.Json;
using System.Text.Json.Serialization;

namespace Crm.Channels.Chat;

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, AllowTrailingCommas = false, ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(ChatMessageRequest))]
internal sealed partial class ChatJsonContext : JsonSerializerContext;
