using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Crm.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Webhooks;

/// <summary>
/// Delivers the outbox: claims each endpoint's oldest due delivery, posts it signed (Standard Webhooks), and records
/// the answer; a failure is retried with exponential backoff and jitter until <see cref="OutgoingWebhookOptions.MaxRetryAge"/>,
/// then the delivery fails and its endpoint is disabled (it failed throughout). It never stops on an error: it logs,
/// waits and goes on.
/// </summary>
internal sealed partial class WebhookDispatcher(
    IWebhookStore store,
    IHttpClientFactory clients,
    WebhookSignal signal,
    IOptions<OutgoingWebhookOptions> options,
    TimeProvider time,
    LoopHealthRegistry health,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "Crm.Webhooks";
    public const string HealthName = "crm-webhooks";

    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly LoopHealth _health = health[HealthName];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var settings = options.Value;
                var now = time.GetUtcNow();
                var due = await store.ClaimDueAsync(settings.Concurrency, _owner, now, now + settings.ClaimLease, stoppingToken).ConfigureAwait(false);
                await Task.WhenAll(due.Select(d => DeliverAsync(d, settings, stoppingToken))).ConfigureAwait(false);
                _health.Succeeded();
                failures = 0;
                if (due.Count == 0)
                {
                    await signal.WaitAsync(settings.PollInterval, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The store is down, or something unforeseen: never a tight loop, never the end of the host.
                failures++;
                _health.Failed(ex);
                LogLoopFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(failures, 6)))), time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task DeliverAsync(WebhookDelivery delivery, OutgoingWebhookOptions settings, CancellationToken cancellationToken)
    {
        var endpoint = await store.GetEndpointAsync(delivery.EndpointId, cancellationToken).ConfigureAwait(false);
        var secrets = await store.GetSigningSecretsAsync(delivery.EndpointId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (endpoint is null || secrets.Count == 0)
        {
            return;
        }

        using var activity = CrmWebhooksTelemetry.ActivitySource.StartActivity(CrmWebhooksTelemetry.AttemptActivity, ActivityKind.Client);
        activity?.SetTag("crm.webhook.endpoint", endpoint.Id);
        activity?.SetTag("crm.event.type", delivery.EventType);
        activity?.SetTag("crm.webhook.id", delivery.WebhookId);
        activity?.SetTag("crm.webhook.attempt", delivery.Attempts + 1);
        var attempt = await AttemptAsync(endpoint, secrets, delivery, settings, cancellationToken).ConfigureAwait(false);
        DateTimeOffset? retryAt = null;
        if (!attempt.Succeeded && attempt.At - delivery.CreatedAt < settings.MaxRetryAge)
        {
            var delay = settings.RetryBaseDelay * Math.Pow(2, Math.Min(delivery.Attempts, 20)) * (0.8 + (0.4 * Random.Shared.NextDouble()));
            retryAt = attempt.At + (delay > settings.MaxRetryDelay ? settings.MaxRetryDelay : delay);
        }

        var outcome = attempt.Succeeded ? "succeeded" : retryAt is null ? "failed" : "retrying";
        var endpointTag = new KeyValuePair<string, object?>("crm.webhook.endpoint", endpoint.Id);
        CrmWebhooksTelemetry.Attempts.Add(1, endpointTag, new("crm.event.type", delivery.EventType), new("crm.outcome", outcome));
        CrmWebhooksTelemetry.Duration.Record(attempt.DurationMilliseconds, endpointTag);
        CrmWebhooksTelemetry.Age.Record((attempt.At - delivery.CreatedAt).TotalSeconds, endpointTag);
        activity?.SetTag("crm.outcome", outcome);
        if (attempt.ResponseStatus is { } status)
        {
            activity?.SetTag("http.response.status_code", status);
        }

        if (!attempt.Succeeded)
        {
            activity?.SetStatus(ActivityStatusCode.Error, attempt.ResponseExcerpt);
        }

        await store.RecordAttemptAsync(delivery.Id, _owner, attempt, retryAt, cancellationToken).ConfigureAwait(false);
        if (attempt.Succeeded)
        {
            LogDelivered(logger, delivery.EventType, delivery.WebhookId, endpoint.Id, attempt.ResponseStatus, attempt.DurationMilliseconds);
        }
        else if (retryAt is { } next)
        {
            LogRetrying(logger, delivery.EventType, delivery.WebhookId, endpoint.Id, attempt.ResponseExcerpt, next);
        }
        else
        {
            // Its oldest delivery failed for the whole retry period: the endpoint has been failing throughout.
            var reason = $"Every delivery failed for {settings.MaxRetryAge}; last: {attempt.ResponseExcerpt}";
            await store.UpdateEndpointAsync(endpoint.Id, null, null, null, enabled: false, reason, cancellationToken).ConfigureAwait(false);
            LogDisabled(logger, endpoint.Id, reason);
        }
    }

    private async Task<WebhookAttempt> AttemptAsync(WebhookEndpoint endpoint, IReadOnlyList<string> secrets, WebhookDelivery delivery, OutgoingWebhookOptions settings, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var at = time.GetUtcNow();
        var timestamp = at.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(delivery.Payload) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("webhook-id", delivery.WebhookId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        // During a rotation's overlap one signature per secret, space-separated: a receiver holding either verifies.
        request.Headers.Add("webhook-signature", string.Join(' ', secrets.Select(s => WebhookSignature.Sign(s, delivery.WebhookId, timestamp, delivery.Payload))));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var excerpt = await ReadExcerptAsync(response, settings.MaxResponseBytes, timeout.Token).ConfigureAwait(false);
            return new WebhookAttempt(response.IsSuccessStatusCode, (int)response.StatusCode, excerpt, Elapsed(started), at);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new WebhookAttempt(false, null, $"No answer within {settings.Timeout.TotalSeconds:0.#} s.", Elapsed(started), at);
        }
        catch (HttpRequestException ex)
        {
            var reason = ex.InnerException is WebhookDestinationException refused ? refused.Message : ex.Message;
            return new WebhookAttempt(false, null, reason, Elapsed(started), at);
        }
    }

    /// <summary>The start of the answer, as text: read up to the cap, the rest is left unread.</summary>
    private static async Task<string?> ReadExcerptAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        if (maxBytes == 0)
        {
            return null;
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[maxBytes];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
            {
                read += n;
            }

            return read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read);
        }
    }

    private static int Elapsed(long started) => (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "Webhook {EventType} {WebhookId} delivered to endpoint {EndpointId}: {Status} in {Milliseconds} ms")]
    private static partial void LogDelivered(ILogger logger, string eventType, string webhookId, long endpointId, int? status, int milliseconds);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "Webhook {EventType} {WebhookId} to endpoint {EndpointId} failed ({Reason}); retrying at {RetryAt}")]
    private static partial void LogRetrying(ILogger logger, string eventType, string webhookId, long endpointId, string? reason, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Error, Message = "Webhook endpoint {EndpointId} disabled: {Reason}")]
    private static partial void LogDisabled(ILogger logger, long endpointId, string reason);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Error, Message = "The webhook dispatcher failed; it will try again")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);
}
