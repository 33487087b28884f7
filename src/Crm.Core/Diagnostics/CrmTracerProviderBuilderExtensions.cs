using Crm.Diagnostics;

namespace OpenTelemetry.Trace;

/// <summary>Adds the CRM packages' spans to an OpenTelemetry tracer provider.</summary>
public static class CrmTracerProviderBuilderExtensions
{
    /// <summary>
    /// Subscribes to the spans of Crm.Channels (<c>crm.channels.ingest</c>, <c>crm.channels.reply.send</c>) and
    /// Crm.Campaigns (<c>crm.campaigns.campaign</c>, <c>crm.campaigns.batch</c>, <c>crm.campaigns.send</c>); a package
    /// the app does not reference simply reports nothing.
    /// </summary>
    public static TracerProviderBuilder AddCrmInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(CrmTelemetrySources.All);
    }
}
