using System.Text.Json.Serialization;
using Crm.Campaigns.Segments;

namespace Crm.Campaigns.Campaigns;

/// <summary>The body of <c>POST /bulk-email</c>.</summary>
public sealed record CreateCampaignRequest
{
    /// <summary>The subject (Liquid).</summary>
    [JsonPropertyName("subject")]
    public string? Subject { get; init; }

    /// <summary>The HTML body (Liquid).</summary>
    [JsonPropertyName("body")]
    public string? Body { get; init; }

    /// <summary>Who it goes to; all clients when absent.</summary>
    [JsonPropertyName("segment")]
    public SegmentCriteria? Segment { get; init; }

    /// <summary>When to send; now when absent or past.</summary>
    [JsonPropertyName("scheduledAt")]
    public DateTimeOffset? ScheduledAt { get; init; }

    /// <summary>The sender address; the configured one when absent.</summary>
    [JsonPropertyName("fromAddress")]
    public string? FromAddress { get; init; }

    /// <summary>The sender name; the configured one when absent.</summary>
    [JsonPropertyName("fromName")]
    public string? FromName { get; init; }
}
