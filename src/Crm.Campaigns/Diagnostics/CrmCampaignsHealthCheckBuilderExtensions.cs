using Crm.Campaigns.Dispatching;
using Crm.Campaigns.Sending;
using Crm.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the campaign feature's health checks.</summary>
public static class CrmCampaignsHealthCheckBuilderExtensions
{
    /// <summary>
    /// Adds <c>crm-dispatcher</c> (tags <c>crm</c>, <c>live</c>): Degraded while its rounds fail, Unhealthy once they have
    /// failed for a minute or none finished for twice the claim lease plus the poll interval (a hang); and
    /// <c>crm-smtp</c> (tags <c>crm</c>, <c>ready</c>): opens and closes a session with the configured SMTP server (or
    /// writes a file in the pickup folder), Degraded when it cannot — campaigns wait, the API still serves.
    /// </summary>
    public static IHealthChecksBuilder AddCrmCampaignsHealthChecks(this IHealthChecksBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(new HealthCheckRegistration(
            "crm-dispatcher",
            sp =>
            {
                var options = sp.GetRequiredService<IOptions<Crm.Campaigns.Dispatching.DispatcherOptions>>().Value;
                return new LoopHealthCheck(
                    sp.GetRequiredService<LoopHealthRegistry>()[CampaignDispatcher.HealthName],
                    "The campaign dispatcher",
                    sp.GetRequiredService<TimeProvider>(),
                    failingAfter: TimeSpan.FromMinutes(1),
                    stuckAfter: (2 * options.ClaimLease) + options.PollInterval,
                    running: () => options.RunDispatcher);
            },
            HealthStatus.Unhealthy,
            [CrmHealthCheckTags.Crm, CrmHealthCheckTags.Live]));
        builder.Add(new HealthCheckRegistration(
            "crm-smtp",
            sp => new TransportHealthCheck(sp.GetRequiredService<ICampaignSender>()),
            HealthStatus.Degraded,
            [CrmHealthCheckTags.Crm, CrmHealthCheckTags.Ready],
            TimeSpan.FromSeconds(15)));
        return builder;
    }

    private sealed class TransportHealthCheck(ICampaignSender sender) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (sender is not ICampaignTransportProbe probe)
            {
                return HealthCheckResult.Healthy($"{sender.GetType().Name} cannot be probed without sending.");
            }

            try
            {
                await probe.ProbeAsync(cancellationToken).ConfigureAwait(false);
                return HealthCheckResult.Healthy($"Campaign mail goes to {probe.Destination}, which accepts a session.");
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, $"Campaign mail cannot reach {probe.Destination}: {ex.Message}", ex);
            }
        }
    }
}
