using System.Text.Json;
using System.Text.Json.Serialization;

namespace Crm.Channels.Adapters;

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, AllowTrailingCommas = false, ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(Chat.ChatMessageRequest))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Builder.TicketReplyRequest))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(Chat.ChatReceipt))]
[JsonSerializable(typeof(Chat.ConversationMessage))]
[JsonSerializable(typeof(IReadOnlyList<Chat.ConversationMessage>))]
internal sealed partial class ChannelsJsonContext : JsonSerializerContext;
