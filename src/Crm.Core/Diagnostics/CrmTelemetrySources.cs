namespace Crm.Diagnostics;

/// <summary>
/// The <see cref="System.Diagnostics.ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/> names of the
/// feature packages, known here so <c>AddCrmInstrumentation()</c> subscribes to both without referencing either.
/// </summary>
internal static class CrmTelemetrySources
{
    public const string Channels = "Crm.Channels";

    public const string Campaigns = "Crm.Campaigns";

    public const string Webhooks = "Crm.Webhooks";

    public static readonly string[] All = [Channels, Campaigns, Webhooks];
}
