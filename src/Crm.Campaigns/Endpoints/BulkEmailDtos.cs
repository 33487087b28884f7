using System.Text.Json.Serialization;
using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Contacts;
using Crm.Campaigns.Segments;

namespace Crm.Campaigns.Endpoints;

/// <summary>A campaign and its stats in the API.</summary>
public sealed record CampaignDto(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("body")] string Body,
    [property: JsonPropertyName("segment")] SegmentCriteria Segment,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("scheduledAt")] DateTimeOffset? ScheduledAt,
    [property: JsonPropertyName("launchedAt")] DateTimeOffset? LaunchedAt,
    [property: JsonPropertyName("completedAt")] DateTimeOffset? CompletedAt,
    [property: JsonPropertyName("fromAddress")] string FromAddress,
    [property: JsonPropertyName("fromName")] string? FromName,
    [property: JsonPropertyName("recipients")] int Recipients,
    [property: JsonPropertyName("sent")] int Sent,
    [property: JsonPropertyName("failed")] int Failed,
    [property: JsonPropertyName("skipped")] int Skipped,
    [property: JsonPropertyName("openCount")] int OpenCount,
    [property: JsonPropertyName("totalOpens")] int TotalOpens,
    [property: JsonPropertyName("unsubscribeCount")] int UnsubscribeCount,
    [property: JsonPropertyName("openRate")] double OpenRate,
    [property: JsonPropertyName("pauseReason")] string? PauseReason,
    [property: JsonPropertyName("inFlight"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? InFlight = null)
{
    /// <summary>Recipients waiting for another attempt after a temporary failure (on the single-campaign answer).</summary>
    [JsonPropertyName("deferred"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Deferred { get; init; }

    /// <summary>Why the latest attempt failed or was deferred: the server's answer, "Could not connect to host:port", a template error.</summary>
    [JsonPropertyName("lastError")]
    public string? LastError { get; init; }

    /// <summary>When the last error happened.</summary>
    [JsonPropertyName("lastErrorAt")]
    public DateTimeOffset? LastErrorAt { get; init; }

    /// <summary>Where answers go, when not to the sender.</summary>
    [JsonPropertyName("replyTo")]
    public string? ReplyTo { get; init; }

    /// <summary>Whether the campaign carries an open pixel.</summary>
    [JsonPropertyName("trackOpens")]
    public bool TrackOpens { get; init; }

    /// <summary>Whether its links go through the click tracker.</summary>
    [JsonPropertyName("trackClicks")]
    public bool TrackClicks { get; init; }

    /// <summary>Recipients who clicked a tracked link.</summary>
    [JsonPropertyName("clickCount")]
    public int ClickCount { get; init; }

    /// <summary>Every click on a tracked link.</summary>
    [JsonPropertyName("totalClicks")]
    public int TotalClicks { get; init; }

    /// <summary>Unique clickers per message sent.</summary>
    [JsonPropertyName("clickRate")]
    public double ClickRate { get; init; }

    /// <summary>Pixel loads judged automatic (privacy proxies, scanners, within seconds of the send): in neither open count nor the open rate.</summary>
    [JsonPropertyName("machineOpens")]
    public int MachineOpens { get; init; }

    /// <summary>Recipients whose address bounced.</summary>
    [JsonPropertyName("bounces")]
    public int Bounces { get; init; }

    /// <summary>Recipients who reported the mail as spam.</summary>
    [JsonPropertyName("complaints")]
    public int Complaints { get; init; }

    /// <summary>Per tracked link: its URL and clicks (on the single-campaign answer).</summary>
    [JsonPropertyName("links"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<LinkDto>? Links { get; init; }

    /// <summary>Maps a campaign; <paramref name="backlog"/> (messages being sent right now, waiting for a retry) and <paramref name="linkClicks"/> only on the single-campaign answer.</summary>
    public static CampaignDto From(Campaign c, CampaignBacklog? backlog = null, IReadOnlyList<(int Index, int UniqueClicks, int TotalClicks)>? linkClicks = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        var s = c.Stats;
        return new(c.Id, c.Subject, c.Body, c.Segment, c.Status.ToString().ToLowerInvariant(), c.CreatedAt, c.ScheduledAt, c.LaunchedAt, c.CompletedAt,
            c.FromAddress, c.FromName, s.Recipients, s.Sent, s.Failed, s.Skipped, s.UniqueOpens, s.TotalOpens, s.Unsubscribes,
            s.Sent == 0 ? 0 : Math.Round((double)s.UniqueOpens / s.Sent, 4), c.PauseReason, backlog?.InFlight)
        {
            Deferred = backlog?.Deferred,
            LastError = c.LastError,
            LastErrorAt = c.LastErrorAt,
            ReplyTo = c.ReplyTo,
            TrackOpens = c.TrackOpens,
            TrackClicks = c.TrackClicks,
            ClickCount = s.UniqueClicks,
            TotalClicks = s.TotalClicks,
            ClickRate = s.Sent == 0 ? 0 : Math.Round((double)s.UniqueClicks / s.Sent, 4),
            MachineOpens = s.MachineOpens,
            Bounces = s.Bounces,
            Complaints = s.Complaints,
            Links = linkClicks is null ? null : c.Links.Select((url, index) =>
            {
                var clicks = linkClicks.FirstOrDefault(l => l.Index == index);
                return new LinkDto(index, url, clicks.UniqueClicks, clicks.TotalClicks);
            }).ToList(),
        };
    }
}

/// <summary>One tracked link of a campaign and its clicks.</summary>
public sealed record LinkDto(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("uniqueClicks")] int UniqueClicks,
    [property: JsonPropertyName("totalClicks")] int TotalClicks);

/// <summary>A contact in the API.</summary>
public sealed record ContactDto(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("phone")] string? Phone,
    [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags,
    [property: JsonPropertyName("attributes")] IReadOnlyDictionary<string, string> Attributes,
    [property: JsonPropertyName("marketingStatus")] string MarketingStatus,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt)
{
    /// <summary>Maps a contact.</summary>
    public static ContactDto From(Contact c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.Id, c.Email, c.Name, c.Phone, c.Tags, c.Attributes, c.MarketingStatus.ToString().ToLowerInvariant(), c.CreatedAt);
    }
}

/// <summary>A page of campaigns in the API, newest first.</summary>
public sealed record CampaignPageDto(
    [property: JsonPropertyName("items")] IReadOnlyList<CampaignDto> Items,
    [property: JsonPropertyName("page")] int Page,
    [property: JsonPropertyName("pageSize")] int PageSize,
    [property: JsonPropertyName("total")] int Total);

/// <summary>A page of contacts in the API.</summary>
public sealed record ContactPageDto(
    [property: JsonPropertyName("items")] IReadOnlyList<ContactDto> Items,
    [property: JsonPropertyName("page")] int Page,
    [property: JsonPropertyName("pageSize")] int PageSize,
    [property: JsonPropertyName("total")] int Total);

/// <summary>The answer of <c>POST /contacts</c>.</summary>
public sealed record ContactImportResultDto(
    [property: JsonPropertyName("created")] int Created,
    [property: JsonPropertyName("updated")] int Updated,
    [property: JsonPropertyName("rejected")] IReadOnlyList<RejectedContactRow> Rejected);

/// <summary>The body of <c>POST /bulk-email/recipient-count</c>.</summary>
public sealed record RecipientCountRequest([property: JsonPropertyName("segment")] SegmentCriteria? Segment);

/// <summary>The body of <c>PATCH /contacts/{id}</c>.</summary>
public sealed record ContactUpdateRequest
{
    /// <summary>The marketing status to set: only <c>subscribed</c>, which lifts a bounce.</summary>
    [JsonPropertyName("marketingStatus")]
    public string? MarketingStatus { get; init; }
}

[JsonSerializable(typeof(CreateCampaignRequest))]
[JsonSerializable(typeof(List<ContactImportRow>))]
[JsonSerializable(typeof(RecipientCountRequest))]
[JsonSerializable(typeof(ContactUpdateRequest))]
[JsonSerializable(typeof(CampaignTestRequest))]
[JsonSerializable(typeof(ResendRequest))]
[JsonSerializable(typeof(SaveSegmentRequest))]
[JsonSourceGenerationOptions(AllowTrailingCommas = false)]
internal sealed partial class BulkEmailJsonContext : JsonSerializerContext;

/// <summary>A campaign rendered for a sample contact (<c>POST /bulk-email/preview</c>).</summary>
/// <param name="Subject">The rendered subject.</param>
/// <param name="Html">The rendered HTML body, with the footer and tracking a recipient gets.</param>
/// <param name="Text">The text alternative.</param>
public sealed record CampaignPreviewDto(string? Subject, string? Html, string? Text);

/// <summary>How many contacts a segment reaches now (<c>POST /bulk-email/recipient-count</c>).</summary>
/// <param name="Recipients">Subscribed contacts with an email address the segment selects.</param>
public sealed record RecipientCountDto(int Recipients);

/// <summary>A test copy of a campaign (<c>POST /bulk-email/test</c>): rendered for a sample contact, sent to one address.</summary>
/// <param name="Subject">The subject (Liquid).</param>
/// <param name="Body">The HTML body (Liquid).</param>
/// <param name="To">Where the copy goes (the person testing).</param>
public sealed record CampaignTestRequest(
    [property: JsonPropertyName("subject")] string? Subject,
    [property: JsonPropertyName("body")] string? Body,
    [property: JsonPropertyName("to")] string? To);

/// <summary>The body of <c>POST /bulk-email/{id}/resend</c>: a follow-up to the recipients who did not open.</summary>
/// <param name="Subject">The follow-up's subject (Liquid).</param>
/// <param name="ScheduledAt">When to send it; now when unset or past.</param>
public sealed record ResendRequest(
    [property: JsonPropertyName("subject")] string? Subject,
    [property: JsonPropertyName("scheduledAt")] DateTimeOffset? ScheduledAt = null);


/// <summary>A tag and how many contacts have it (<c>GET /contacts/tags</c>).</summary>
/// <param name="Tag">The tag.</param>
/// <param name="Contacts">Contacts that have it.</param>
public sealed record TagCountDto(string Tag, int Contacts);
