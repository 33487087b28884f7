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

    /// <summary>Where recipients' answers go (<c>Reply-To</c>); unset: to the sender.</summary>
    [JsonPropertyName("replyTo")]
    public string? ReplyTo { get; init; }

    /// <summary>False to send no open pixel (privacy); the global <c>TrackOpens</c> setting can turn it off for all.</summary>
    [JsonPropertyName("trackOpens")]
    public bool? TrackOpens { get; init; }

    /// <summary>False to send links as written, untracked; the global <c>TrackClicks</c> setting can turn it off for all.</summary>
    [JsonPropertyName("trackClicks")]
    public bool? TrackClicks { get; init; }
}
