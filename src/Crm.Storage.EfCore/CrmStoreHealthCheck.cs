using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Crm.Storage.EfCore;

/// <summary>
/// Healthy when the store can be written and read now (<see cref="ICrmDatabaseMigrator.ProbeAsync"/>); Unhealthy when
/// it is locked past its busy timeout, damaged or unreachable.
/// </summary>
public sealed class CrmStoreHealthCheck(ICrmDatabaseMigrator database) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await database.ProbeAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("The store can be written and read.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The store cannot be written or read: " + ex.Message, ex);
        }
    }
}
