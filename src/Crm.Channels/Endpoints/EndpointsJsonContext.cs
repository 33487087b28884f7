using System.Text.Json;
using System.Text.Json.Serialization;

namespace Crm.Channels.Endpoints;

/// <summary>The agents' endpoints' JSON, source-generated and as strict as the chat's.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, AllowTrailingCommas = false, ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(TicketReplyRequest))]
[JsonSerializable(typeof(OutboundEmailRequest))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
internal sealed partial class EndpointsJsonContext : JsonSerializerContext;
