using Crm.Storage.EfCore;
using Crm.Storage.EfCore.PostgreSql;
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
            "sqlite" => services.AddCrmEntityFrameworkStores(o => o.UseSqlite(connectionString)),
            "postgres" or "postgresql" => services.AddCrmEntityFrameworkStores(o => o.UseCrmPostgres(connectionString)),
            _ => throw new InvalidOperationException($"{HostSettings.StorageProvider} is '{provider}'; use 'Sqlite' or 'Postgres'."),
        };
    }
}
