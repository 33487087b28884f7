using System.Text.Json.Serialization;
using Crm.Channels.Tickets;

namespace Crm.Storage.EfCore;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<AttachmentInfo>))]
[JsonSerializable(typeof(ReplyTemplate))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(Crm.Campaigns.Segments.SegmentCriteria))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
