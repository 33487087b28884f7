using Crm.Storage.EfCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Schema helpers for hosts.</summary>
public static class CrmDatabaseServiceProviderExtensions
{
    /// <summary>Creates or upgrades the CRM schema; call once at start, before serving requests.</summary>
    public static Task MigrateCrmDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetRequiredService<ICrmDatabaseMigrator>().MigrateAsync(cancellationToken);
    }
}
