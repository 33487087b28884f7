using System.Text.Json;
using System.Text.Json.Serialization;
using Crm.Channels.Adapters;
using Crm.Contacts;
using Crm.Channels.Ingestion;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Chat;

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, AllowTrailingCommas = false, ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(ChatMessageRequest))]
internal sealed partial class ChatJsonContext : JsonSerializerContext;
