using System.Text.Json.Serialization;
using Crm.Campaigns.Segments;

namespace Crm.Storage.EfCore.Campaigns;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SegmentCriteria))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class CampaignsStorageJsonContext : JsonSerializerContext;
