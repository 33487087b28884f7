using Crm.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Crm.Webhooks;

/// <summary>
/// What a Manager does with webhook endpoints — add, change, rotate a secret, replay — with the checks each needs (a
/// public HTTPS destination, known event types), in one place for the API and any admin UI.
/// </summary>
public sealed class WebhookSubscriptions
{
    private readonly IWebhookStore _store;
    private readonly WebhookSignal _signal;
    private readonly IHostEnvironment _environment;
    private readonly IOptions<OutgoingWebhookOptions> _options;
    private readonly TimeProvider _time;

    // Resolved from AddCrmWebhooks(): the dispatcher's wake-up is not part of the public API.
    internal WebhookSubscriptions(IWebhookStore store, WebhookSignal signal, IHostEnvironment environment, IOptions<OutgoingWebhookOptions> options, TimeProvider time)
    {
        _store = store;
        _signal = signal;
        _environment = environment;
        _options = options;
        _time = time;
    }

    /// <summary>The longest overlap of a secret rotation.</summary>
    public static readonly TimeSpan MaxRotationOverlap = TimeSpan.FromDays(7);

    /// <summary>Adds an endpoint with a new secret, or says what is wrong (by field: <c>url</c>, <c>events</c>, <c>description</c>).</summary>
    public async Task<(WebhookEndpoint? Endpoint, string? Secret, IReadOnlyDictionary<string, string[]> Errors)> CreateAsync(string? url, IReadOnlyList<string>? events, string? description, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var checkedUrl = await CheckUrlAsync(url, errors, cancellationToken).ConfigureAwait(false);
        var checkedEvents = CheckEvents(events, errors);
        CheckDescription(description, errors);
        if (errors.Count > 0)
        {
            return (null, null, errors);
        }

        var secret = WebhookSignature.NewSecret();
        var endpoint = await _store.CreateEndpointAsync(new NewWebhookEndpoint(checkedUrl!, checkedEvents!, Blank(description), secret), _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return (endpoint, secret, errors);
    }

    /// <summary>Changes what is given; <paramref name="enabled"/> true re-enables an endpoint disabled for failing.</summary>
    /// <returns>The endpoint afterwards (null when there is none), or the errors.</returns>
    public async Task<(WebhookEndpoint? Endpoint, IReadOnlyDictionary<string, string[]> Errors)> UpdateAsync(long endpointId, string? url, IReadOnlyList<string>? events, string? description, bool? enabled, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var checkedUrl = url is null ? null : await CheckUrlAsync(url, errors, cancellationToken).ConfigureAwait(false);
        var checkedEvents = events is null ? null : CheckEvents(events, errors);
        CheckDescription(description, errors);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var updated = await _store.UpdateEndpointAsync(endpointId, checkedUrl, checkedEvents, description?.Trim(), enabled, enabled == false ? "Disabled by a person." : null, cancellationToken).ConfigureAwait(false);
        if (updated is { Enabled: true })
        {
            _signal.Wake();
        }

        return (updated, errors);
    }

    /// <summary>Gives the endpoint a new secret; the old one keeps signing beside it for <paramref name="overlap"/>.</summary>
    /// <returns>The new secret and when the old one stops, or null when there is no such endpoint.</returns>
    public async Task<(string Secret, DateTimeOffset PreviousValidUntil)?> RotateSecretAsync(long endpointId, TimeSpan overlap, CancellationToken cancellationToken)
    {
        if (overlap < TimeSpan.Zero || overlap > MaxRotationOverlap)
        {
            throw new ArgumentOutOfRangeException(nameof(overlap), overlap, $"An overlap is 0 to {MaxRotationOverlap.TotalDays} days.");
        }

        var secret = WebhookSignature.NewSecret();
        var until = _time.GetUtcNow() + overlap;
        return await _store.RotateSecretAsync(endpointId, secret, until, cancellationToken).ConfigureAwait(false) ? (secret, until) : null;
    }

    /// <summary>Queues one delivery again, or every failed one since a time (all failed ones when neither is given).</summary>
    /// <returns>How many were queued.</returns>
    public async Task<int> ReplayAsync(long endpointId, long? deliveryId, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var queued = await _store.ReplayAsync(endpointId, deliveryId, since, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (queued > 0)
        {
            _signal.Wake();
        }

        return queued;
    }

    private async Task<string?> CheckUrlAsync(string? url, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > 2000 || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            errors["url"] = ["An absolute http(s) URL of at most 2000 characters, without credentials."];
            return null;
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !_environment.IsDevelopment())
        {
            errors["url"] = ["Webhooks are delivered over HTTPS only (plain http is allowed in Development)."];
            return null;
        }

        try
        {
            await WebhookDestinations.ResolveAsync(uri.IdnHost, _options.Value.AllowPrivateNetworks, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebhookDestinationException or System.Net.Sockets.SocketException)
        {
            errors["url"] = [ex is WebhookDestinationException ? ex.Message : $"'{uri.IdnHost}' does not resolve."];
            return null;
        }

        return uri.AbsoluteUri;
    }

    private static List<string>? CheckEvents(IReadOnlyList<string>? events, Dictionary<string, string[]> errors)
    {
        var unknown = events?.Where(e => e != "*" && !CrmEventTypes.All.Contains(e)).ToList();
        if (events is null || events.Count == 0 || events.Count > 50 || unknown!.Count > 0)
        {
            errors["events"] = [$"Name one or more of: * (all), {string.Join(", ", CrmEventTypes.All)}." + (unknown is { Count: > 0 } ? $" Unknown: {string.Join(", ", unknown.Take(5).Select(u => u.Length > 64 ? u[..64] : u))}." : "")];
            return null;
        }

        return events.Distinct(StringComparer.Ordinal).ToList();
    }

    private static void CheckDescription(string? description, Dictionary<string, string[]> errors)
    {
        if (description is { Length: > 500 })
        {
            errors["description"] = ["At most 500 characters."];
        }
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
