using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Crm.Campaigns.Endpoints;

/// <summary>
/// Where the tracking endpoints (pixel, unsubscribe) live, as mail must link to them: the public base URL
/// (<see cref="BulkEmailOptions.PublicBaseUrl"/>, else the calling request's scheme, host and path base) followed by the
/// prefix the host mapped <c>MapBulkEmail()</c> under (a <c>MapGroup("/crm")</c>), read from the endpoints themselves.
/// Each campaign keeps the value it was created with, so every host that dispatches it links to the same place.
/// </summary>
public sealed class TrackingBaseUrl(LinkGenerator links, IOptions<BulkEmailOptions> options)
{
    private const string ProbeToken = "t";

    /// <summary>The base of tracking links for a campaign created by <paramref name="request"/>.</summary>
    public string For(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var origin = options.Value.PublicBaseUrl?.TrimEnd('/') ?? $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}";
        return origin + MappedPrefix();
    }

    /// <summary>The path the endpoints were mapped under, before <c>/bulk-email</c> ("" when mapped at the root).</summary>
    private string MappedPrefix()
    {
        var probe = links.GetPathByName(BulkEmailEndpointNames.Open, new RouteValueDictionary { ["campaignId"] = 0L, ["token"] = ProbeToken })
            ?? throw new InvalidOperationException("The tracking endpoints are not mapped: call app.MapBulkEmail() in this host.");
        var suffix = $"/bulk-email/open/0/{ProbeToken}";
        return probe.EndsWith(suffix, StringComparison.Ordinal) ? probe[..^suffix.Length] : "";
    }
}
