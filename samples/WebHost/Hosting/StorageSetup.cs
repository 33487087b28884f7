using Microsoft.EntityFrameworkCore;

namespace Crm.WebHost.Hosting;

internal static class StorageSetup
{
    /// <summary>Wires the EF Core stores for <c>Crm:Storage:Provider</c> (<c>Sqlite</c> or <c>Postgres</c>) and <c>ConnectionStrings:Crm</c>.</summary>
    public static IServiceCollection AddCrmStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var provider = configuration[HostSettings.StorageProvider] ?? "Sqlite";
        var connectionString = configuration.GetConnectionString(HostSettings.ConnectionStringName) ?? HostSettings.DefaultConnectionString;
        return provider.ToLowerInvariant() switch
        {
            "sqlite" => services.AddCrmEntityFrameworkStores(o => o.UseCrmSqlite(WithBusyTimeout(connectionString, configuration))),
            "postgres" or "postgresql" => services.AddCrmEntityFrameworkStores(o => o.UseCrmPostgres(connectionString)),
            _ => throw new InvalidOperationException($"{HostSettings.StorageProvider} is '{provider}'; use 'Sqlite' or 'Postgres'."),
        };
    }

    /// <summary>
    /// How long a SQLite command waits for a lock before it fails (and the request answers 503): <c>Crm:Storage:BusyTimeout</c>,
    /// default 5 seconds, unless the connection string sets <c>Default Timeout</c> itself.
    /// </summary>
    private static string WithBusyTimeout(string connectionString, IConfiguration configuration)
    {
        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
        {
            var timeout = configuration.GetValue(HostSettings.StorageBusyTimeout, TimeSpan.FromSeconds(5));
            builder.DefaultTimeout = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
        }

        return builder.ToString();
    }
}
