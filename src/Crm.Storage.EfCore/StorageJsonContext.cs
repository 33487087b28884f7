using System.Text.Json.Serialization;
using Crm.Channels.Tickets;

namespace Crm.Storage.EfCore;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<AttachmentInfo>))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
