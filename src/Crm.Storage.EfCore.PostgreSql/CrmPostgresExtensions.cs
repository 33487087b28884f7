using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;
using Crm.Storage.EfCore.PostgreSql;
using Crm.Storage.EfCore;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Points the CRM stores at PostgreSQL, with this package's migrations.</summary>
public static class CrmPostgresExtensions
{
    /// <summary>
    /// Uses PostgreSQL for <see cref="CrmDbContext"/>: <c>services.AddCrmEntityFrameworkStores(o =&gt; o.UseCrmPostgres(connectionString))</c>.
    /// For the ready <c>CrmDbContext</c> the migrations come from this package (each provider keeps its own); your own
    /// context keeps its own migrations. Claims use <c>FOR UPDATE SKIP LOCKED</c>, so several hosts share one database.
    /// </summary>
    public static DbContextOptionsBuilder<TContext> UseCrmPostgres<TContext>(this DbContextOptionsBuilder<TContext> options, string connectionString, Action<NpgsqlDbContextOptionsBuilder>? configure = null)
        where TContext : DbContext
        => (DbContextOptionsBuilder<TContext>)((DbContextOptionsBuilder)options).UseCrmPostgres(connectionString, configure);

    /// <summary>Uses PostgreSQL (see the generic overload for a typed options builder).</summary>
    public static DbContextOptionsBuilder UseCrmPostgres(this DbContextOptionsBuilder options, string connectionString, Action<NpgsqlDbContextOptionsBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var ownMigrations = options.Options.ContextType == typeof(CrmDbContext);
        options.UseNpgsql(connectionString, npgsql =>
        {
            if (ownMigrations)
            {
                npgsql.MigrationsAssembly(typeof(CrmPostgresExtensions).Assembly.GetName().Name);
            }

            configure?.Invoke(npgsql);
        });
        return options.UseCrmDatabaseProvider(PostgresCrmDatabaseProvider.Instance);
    }
}
