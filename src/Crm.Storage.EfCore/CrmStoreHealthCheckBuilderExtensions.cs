using Crm.Storage.EfCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="CrmStoreHealthCheck"/>.</summary>
public static class CrmStoreHealthCheckBuilderExtensions
{
    /// <summary>Adds the store check (named <c>crm-store</c>, tags <c>store</c>, <c>crm</c>, <c>ready</c>), answering within <paramref name="timeout"/> (default 10 s).</summary>
    public static IHealthChecksBuilder AddCrmStoreHealthCheck(this IHealthChecksBuilder builder, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<CrmStoreHealthCheck>("crm-store", HealthStatus.Unhealthy, ["store", Crm.Hosting.CrmHealthCheckTags.Crm, Crm.Hosting.CrmHealthCheckTags.Ready], timeout ?? TimeSpan.FromSeconds(10));
    }
}
