using Crm.Campaigns.Tracking;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Crm.Campaigns.Endpoints;

/// <summary>
/// Where the tracking endpoints (pixel, unsubscribe, confirmation) live, as mail must link to them: the public base URL
/// (<see cref="BulkEmailOptions.PublicBaseUrl"/>), else an address this server was configured to listen on — never the
/// calling request's <c>Host</c> header, which anyone can set (a public form would otherwise make the real sender mail
/// a link to the caller's own host) — then the request's path base and the prefix the host mapped
/// <c>MapBulkEmail()</c> under (a <c>MapGroup("/crm")</c>), read from the endpoints themselves. Each campaign keeps
/// the value it was created with, so every host that dispatches it links to the same place.
/// </summary>
public sealed class TrackingBaseUrl(LinkGenerator links, IOptions<BulkEmailOptions> options, IServer? server = null)
{
    private const string ProbeToken = "t";

    /// <summary>The base of tracking links for a campaign (or a confirmation) created by <paramref name="request"/>.</summary>
    /// <exception cref="InvalidOperationException">No public base URL is configured and the server listens only on wildcard addresses.</exception>
    public string For(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var origin = options.Value.PublicBaseUrl?.TrimEnd('/')
            ?? ListeningOrigin(request) + request.PathBase.ToUriComponent();
        return origin + MappedPrefix();
    }

    /// <summary>
    /// The listening address the request came in on when it names one (a host name, not a wildcard), else the first
    /// such address the server has: configured values only.
    /// </summary>
    private string ListeningOrigin(HttpRequest request)
    {
        var addresses = (server?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
            .Select(a => Uri.TryCreate(a, UriKind.Absolute, out var uri) ? uri : null)
            .Where(uri => uri is not null && !IsWildcard(uri.Host))
            .Select(uri => uri!)
            .ToList();
        var matching = addresses.FirstOrDefault(uri => string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
        var chosen = matching ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException(
                "Links in mail need a public address: set Crm:Tracking:PublicBaseUrl (BulkEmailOptions.PublicBaseUrl). This server listens only on wildcard addresses, and links are never built from a request's Host header.");
        return $"{chosen.Scheme}://{chosen.Authority}";
    }

    private static bool IsWildcard(string host) => host is "+" or "*" or "0.0.0.0" or "[::]" or "::";

    /// <summary>The path the endpoints were mapped under, before <c>/bulk-email</c> ("" when mapped at the root).</summary>
    private string MappedPrefix()
    {
        var probe = links.GetPathByName(BulkEmailEndpointNames.Open, new RouteValueDictionary { ["campaignId"] = 0L, ["token"] = ProbeToken })
            ?? throw new InvalidOperationException("The tracking endpoints are not mapped: call app.MapBulkEmail() in this host.");
        var suffix = TrackingRoutes.Url("", TrackingRoutes.Open, 0, ProbeToken);
        return probe.EndsWith(suffix, StringComparison.Ordinal) ? probe[..^suffix.Length] : "";
    }
}
