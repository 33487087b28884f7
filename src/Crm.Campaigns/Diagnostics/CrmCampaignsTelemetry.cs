using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Crm.Campaigns.Diagnostics;

/// <summary>The names under which Crm.Campaigns reports traces and metrics.</summary>
public static class CrmCampaignsTelemetry
{
    /// <summary>The <see cref="ActivitySource"/> and <see cref="Meter"/> name.</summary>
    public const string SourceName = Crm.Diagnostics.CrmTelemetrySources.Campaigns;

    /// <summary>Counter of send attempts, tagged <c>crm.outcome</c> (sent, failed, retry, skipped).</summary>
    public const string SendAttemptsMetric = "crm.campaigns.send.attempts";

    /// <summary>Histogram of the time one message takes to render and send, in seconds.</summary>
    public const string SendDurationMetric = "crm.campaigns.send.duration";

    /// <summary>Counter of recorded opens.</summary>
    public const string OpensMetric = "crm.campaigns.opens";

    /// <summary>Counter of unsubscribes.</summary>
    public const string UnsubscribesMetric = "crm.campaigns.unsubscribes";

    /// <summary>The span of a campaign's creation, in the creator's trace; batch spans link to it.</summary>
    public const string CampaignSpan = "crm.campaigns.campaign";

    /// <summary>The root span of one claimed batch, linked to the campaigns it sends; its messages' spans are its children.</summary>
    public const string BatchSpan = "crm.campaigns.batch";

    /// <summary>The span of one message's rendering and sending, tagged <c>crm.outcome</c>.</summary>
    public const string SendSpan = "crm.campaigns.send";

    internal static readonly ActivitySource ActivitySource = new(SourceName, typeof(CrmCampaignsTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Meter Meter = new(SourceName, typeof(CrmCampaignsTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> SendAttempts = Meter.CreateCounter<long>(SendAttemptsMetric, "{message}", "Campaign send attempts by outcome.");

    internal static readonly Histogram<double> SendDuration = Meter.CreateHistogram<double>(SendDurationMetric, "s", "Time to render and send one campaign message.");

    internal static readonly Counter<long> Opens = Meter.CreateCounter<long>(OpensMetric, "{open}", "Opens recorded from valid tracking tokens.");

    internal static readonly Counter<long> Unsubscribes = Meter.CreateCounter<long>(UnsubscribesMetric, "{unsubscribe}", "Unsubscribes recorded.");
}
