using Crm.Diagnostics;

namespace OpenTelemetry.Metrics;

/// <summary>Adds the CRM packages' metrics to an OpenTelemetry meter provider.</summary>
public static class CrmMeterProviderBuilderExtensions
{
    /// <summary>Subscribes to the counters and histograms of Crm.Channels and Crm.Campaigns (the README lists each).</summary>
    public static MeterProviderBuilder AddCrmInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(CrmTelemetrySources.All);
    }
}
