using Crm.Storage.EfCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Crm.WebHost.Hosting;

/// <summary>Healthy when the store answers.</summary>
internal sealed class StoreHealthCheck(ICrmDatabaseMigrator database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy("The store is reachable.")
                : HealthCheckResult.Unhealthy("The store does not answer.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The store does not answer.", ex);
        }
    }
}
