using Crm.Storage.EfCore;
using Microsoft.EntityFrameworkCore;

namespace Crm.WebHost.Hosting;

internal static class StorageSetup
{
    /// <summary>Wires the EF Core stores for <c>Crm:Storage:Provider</c> and <c>ConnectionStrings:Crm</c>.</summary>
    public static IServiceCollection AddCrmStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var provider = configuration[HostSettings.StorageProvider] ?? "Sqlite";
        var connectionString = configuration.GetConnectionString(HostSettings.ConnectionStringName) ?? HostSettings.DefaultConnectionString;
        if (!provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{HostSettings.StorageProvider} is '{provider}'; this build supports 'Sqlite'.");
        }

        return services.AddCrmEntityFrameworkStores(o => o.UseSqlite(connectionString));
    }
}
