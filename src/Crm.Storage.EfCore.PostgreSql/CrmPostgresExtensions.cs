using Microsoft.EntityFrameworkCore;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;

namespace Crm.Storage.EfCore.PostgreSql;

/// <summary>Points the CRM stores at PostgreSQL, with this package's migrations.</summary>
public static class CrmPostgresExtensions
{
    /// <summary>
    /// Uses PostgreSQL for <see cref="CrmDbContext"/>: <c>services.AddCrmEntityFrameworkStores(o =&gt; o.UseCrmPostgres(connectionString))</c>.
    /// The migrations come from this assembly (SQLite's live in Crm.Storage.EfCore), so each provider keeps its own.
    /// </summary>
    public static DbContextOptionsBuilder UseCrmPostgres(this DbContextOptionsBuilder options, string connectionString, Action<NpgsqlDbContextOptionsBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return options.UseNpgsql(connectionString, npgsql =>
        {
            npgsql.MigrationsAssembly(typeof(CrmPostgresExtensions).Assembly.GetName().Name);
            configure?.Invoke(npgsql);
        });
    }
}
