using System.Text.Json.Serialization;
using Crm.Channels.Tickets;

namespace Crm.Storage.EfCore.Channels;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<AttachmentInfo>))]
[JsonSerializable(typeof(ReplyTemplate))]
internal sealed partial class ChannelsStorageJsonContext : JsonSerializerContext;
