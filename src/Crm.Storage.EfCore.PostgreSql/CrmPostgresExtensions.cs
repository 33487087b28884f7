using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;
using Crm.Storage.EfCore.PostgreSql;
using Crm.Storage.EfCore;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Points the CRM stores at PostgreSQL.</summary>
public static class CrmPostgresExtensions
{
    /// <summary>
    /// Uses PostgreSQL: <c>services.AddCrmEntityFrameworkStores(o =&gt; o.UseCrmPostgres(connectionString))</c>.
    /// The ready <c>CrmDbContext</c> takes its migrations from Crm.Database.PostgreSql; your own
    /// context keeps its own. Claims use <c>FOR UPDATE SKIP LOCKED</c>, so several hosts share one database.
    /// </summary>
    public static DbContextOptionsBuilder<TContext> UseCrmPostgres<TContext>(this DbContextOptionsBuilder<TContext> options, string connectionString, Action<NpgsqlDbContextOptionsBuilder>? configure = null)
        where TContext : DbContext
        => (DbContextOptionsBuilder<TContext>)((DbContextOptionsBuilder)options).UseCrmPostgres(connectionString, configure);

    /// <summary>Uses PostgreSQL (see the generic overload for a typed options builder).</summary>
    public static DbContextOptionsBuilder UseCrmPostgres(this DbContextOptionsBuilder options, string connectionString, Action<NpgsqlDbContextOptionsBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        options.UseNpgsql(connectionString, configure);
        return options.UseCrmDatabaseProvider(PostgresCrmDatabaseProvider.Instance);
    }
}
