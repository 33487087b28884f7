using Crm.Storage.EfCore;
using Crm.Storage.EfCore.Sqlite;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Points the CRM stores at SQLite.</summary>
public static class CrmSqliteExtensions
{
    /// <summary>
    /// Uses SQLite: <c>services.AddCrmEntityFrameworkStores(o =&gt; o.UseCrmSqlite("Data Source=crm.db"))</c>, or on your own
    /// context's options. The ready <c>CrmDbContext</c> takes its migrations from Crm.Database.Sqlite; your own context
    /// keeps its own. Commits use <c>synchronous=NORMAL</c> under write-ahead logging.
    /// </summary>
    public static DbContextOptionsBuilder UseCrmSqlite(this DbContextOptionsBuilder options, string connectionString, Action<SqliteDbContextOptionsBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        options.UseSqlite(connectionString, configure);
        options.AddInterceptors(SqliteConnectionTuning.Instance);
        return options.UseCrmDatabaseProvider(SqliteCrmDatabaseProvider.Instance);
    }

    /// <summary>Uses SQLite for <typeparamref name="TContext"/> (see the non-generic overload).</summary>
    public static DbContextOptionsBuilder<TContext> UseCrmSqlite<TContext>(this DbContextOptionsBuilder<TContext> options, string connectionString, Action<SqliteDbContextOptionsBuilder>? configure = null)
        where TContext : DbContext
        => (DbContextOptionsBuilder<TContext>)((DbContextOptionsBuilder)options).UseCrmSqlite(connectionString, configure);

    /// <summary>
    /// For your own context on SQLite: call in <c>OnModelCreating</c> after <c>ApplyCrmChannels()</c> and
    /// <c>ApplyCrmCampaigns()</c>. It stores the CRM's own dates as sortable integers and touches none of your entities,
    /// so <c>dotnet ef migrations add</c> creates the CRM's tables and alters none of yours.
    /// </summary>
    public static ModelBuilder ApplyCrmSqliteConventions(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        SqliteCrmDatabaseProvider.Instance.ApplyConventions(modelBuilder);
        return modelBuilder;
    }
}
