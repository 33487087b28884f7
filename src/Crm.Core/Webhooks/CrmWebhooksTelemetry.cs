using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Crm.Webhooks;

/// <summary>The names under which outgoing webhooks report traces and metrics (<c>AddCrmInstrumentation()</c> subscribes).</summary>
public static class CrmWebhooksTelemetry
{
    /// <summary>The <see cref="ActivitySource"/> and <see cref="Meter"/> name.</summary>
    public const string SourceName = Crm.Diagnostics.CrmTelemetrySources.Webhooks;

    /// <summary>Counter of delivery attempts, tagged <c>crm.webhook.endpoint</c>, <c>crm.event.type</c> and <c>crm.outcome</c> (<c>succeeded</c>, <c>retrying</c>, <c>failed</c>).</summary>
    public const string AttemptsMetric = "crm.webhooks.attempts";

    /// <summary>Histogram of an attempt's duration in milliseconds, tagged <c>crm.webhook.endpoint</c>.</summary>
    public const string DurationMetric = "crm.webhooks.attempt.duration";

    /// <summary>Histogram of how long an event had waited in the outbox when it was attempted, in seconds, tagged <c>crm.webhook.endpoint</c>: the outbox's age per endpoint.</summary>
    public const string AgeMetric = "crm.webhooks.outbox.age";

    /// <summary>The span of one delivery attempt.</summary>
    public const string AttemptActivity = "crm.webhooks.attempt";

    internal static readonly ActivitySource ActivitySource = new(SourceName, typeof(CrmWebhooksTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Meter Meter = new(SourceName, typeof(CrmWebhooksTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> Attempts = Meter.CreateCounter<long>(AttemptsMetric, "{attempt}", "Webhook delivery attempts.");

    internal static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(DurationMetric, "ms", "How long a webhook delivery attempt took.");

    internal static readonly Histogram<double> Age = Meter.CreateHistogram<double>(AgeMetric, "s", "How long an event waited in the webhook outbox before this attempt.");
}
