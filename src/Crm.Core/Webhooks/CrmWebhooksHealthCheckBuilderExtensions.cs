using Crm.Hosting;
using Crm.Webhooks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The outgoing webhooks' health check.</summary>
public static class CrmWebhooksHealthCheckBuilderExtensions
{
    /// <summary>
    /// Adds <c>crm-webhooks</c> (tags <c>crm</c>, <c>live</c>): unhealthy when the dispatcher has failed for a minute (its
    /// store is down) or has not come round for two claim leases (stuck). A receiver that fails is not the host's
    /// illness: it shows in the delivery log, not here.
    /// </summary>
    public static IHealthChecksBuilder AddCrmWebhooksHealthChecks(this IHealthChecksBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(new HealthCheckRegistration(
            WebhookDispatcher.HealthName,
            sp => new LoopHealthCheck(
                sp.GetRequiredService<LoopHealthRegistry>()[WebhookDispatcher.HealthName],
                "The webhook dispatcher",
                sp.GetRequiredService<TimeProvider>(),
                failingAfter: TimeSpan.FromMinutes(1),
                stuckAfter: (2 * sp.GetRequiredService<IOptions<OutgoingWebhookOptions>>().Value.ClaimLease) + sp.GetRequiredService<IOptions<OutgoingWebhookOptions>>().Value.PollInterval),
            HealthStatus.Unhealthy,
            [CrmHealthCheckTags.Crm, CrmHealthCheckTags.Live]));
        return builder;
    }
}
