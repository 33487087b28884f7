using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Crm.Channels.Diagnostics;

/// <summary>The names under which Crm.Channels reports traces and metrics.</summary>
public static class CrmChannelsTelemetry
{
    /// <summary>The <see cref="ActivitySource"/> and <see cref="Meter"/> name: subscribe to it in OpenTelemetry.</summary>
    public const string SourceName = Crm.Diagnostics.CrmTelemetrySources.Channels;

    /// <summary>Counter of ingested messages, tagged with <c>crm.channel</c> and <c>crm.outcome</c> (<c>ticket_created</c>, <c>message_appended</c>, <c>duplicate</c>).</summary>
    public const string MessagesIngestedMetric = "crm.channels.messages.ingested";

    /// <summary>Counter of messages refused by an adapter or the pipeline, tagged with <c>crm.channel</c> and <c>crm.reason</c> (<c>invalid</c>, or a name after the status an adapter answered: <c>malformed</c>, <c>forbidden</c>, <c>too_large</c>, …).</summary>
    public const string MessagesRejectedMetric = "crm.channels.messages.rejected";

    internal static readonly ActivitySource ActivitySource = new(SourceName, typeof(CrmChannelsTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Meter Meter = new(SourceName, typeof(CrmChannelsTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> MessagesIngested = Meter.CreateCounter<long>(MessagesIngestedMetric, "{message}", "Messages taken in by the ingestion pipeline.");

    internal static readonly Counter<long> MessagesRejected = Meter.CreateCounter<long>(MessagesRejectedMetric, "{message}", "Messages refused by an adapter or the pipeline.");

    /// <summary>The counter of replies the channels accepted, tagged <c>crm.channel</c>.</summary>
    public const string RepliesSentMetric = "crm.channels.replies.sent";

    /// <summary>The counter of replies that failed for good, tagged <c>crm.channel</c>.</summary>
    public const string RepliesFailedMetric = "crm.channels.replies.failed";

    /// <summary>The histogram of seconds from a reply's queuing to its sending, tagged <c>crm.channel</c>.</summary>
    public const string OutboxAgeMetric = "crm.channels.outbox.age";

    internal static readonly Counter<long> RepliesSent = Meter.CreateCounter<long>(RepliesSentMetric, "{message}", "Agents' replies the channel accepted.");

    internal static readonly Counter<long> RepliesFailed = Meter.CreateCounter<long>(RepliesFailedMetric, "{message}", "Agents' replies that will not be delivered.");

    internal static readonly Histogram<double> OutboxAge = Meter.CreateHistogram<double>(OutboxAgeMetric, "s", "How long replies waited in the outbox before the channel accepted them.");
}
