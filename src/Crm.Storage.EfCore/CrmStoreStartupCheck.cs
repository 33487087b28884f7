using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Hosting;

namespace Crm.Storage.EfCore;

/// <summary>
/// Checks at start what would otherwise fail on the first request: the context says which database it runs on, holds
/// the tables of every feature in use (<see cref="CrmStoreRequirement"/>, added by the feature packages), its schema is up to
/// date, and the database really has every CRM table and column the model maps — a host's own context may have no migration
/// for them, or an older one than the packages it now runs (the migrations history cannot tell; the database can).
/// </summary>
internal sealed class CrmStoreStartupCheck<TContext>(IServiceProvider services, IDbContextFactory<TContext> contexts, IEnumerable<CrmStoreRequirement> requirements) : IHostedService
    where TContext : DbContext
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var name = typeof(TContext).Name;
        if (db.FindCrmDatabaseProvider() is null)
        {
            throw new InvalidOperationException($"{name} does not say which database the CRM runs on: configure its options with o.UseCrmSqlite(...) from Crm.Storage.EfCore.Sqlite or o.UseCrmPostgres(...) from Crm.Storage.EfCore.PostgreSql.");
        }

        foreach (var requirement in requirements)
        {
            if (requirement.InUse(services) && db.Model.FindEntityType(requirement.Entity) is null)
            {
                throw new InvalidOperationException(string.Format(System.Globalization.CultureInfo.InvariantCulture, requirement.Fix, name));
            }
        }

        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
        if (pending.Count > 0)
        {
            throw new InvalidOperationException(
                $"The database of {name} is not up to date: {pending.Count} migration(s) pending ({string.Join(", ", pending.Take(3))}{(pending.Count > 3 ? ", …" : "")}). " +
                "Call await app.Services.MigrateCrmDatabaseAsync() before app.Run(), or apply them with 'dotnet ef database update'.");
        }

        await ProbeCrmTablesAsync(db, name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Selects every mapped column of every CRM table, matching no row: a missing table or column fails here, at start,
    /// instead of at the first request that touches it. Only the CRM's own entities are probed, never the host's.
    /// </summary>
    private static async Task ProbeCrmTablesAsync(TContext db, string name, CancellationToken cancellationToken)
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        var tables = db.Model.GetEntityTypes()
            .Where(e => e.ClrType.Namespace?.StartsWith("Crm.Storage", StringComparison.Ordinal) == true && !e.IsOwned() && e.GetTableName() is not null)
            .GroupBy(e => StoreObjectIdentifier.Table(e.GetTableName()!, e.GetSchema()));
        foreach (var table in tables)
        {
            // Columns are qualified by the table: SQLite reads an unknown double-quoted bare name as a string literal.
            var columns = table
                .SelectMany(e => e.GetProperties())
                .Select(p => p.GetColumnName(table.Key))
                .OfType<string>()
                .Distinct(StringComparer.Ordinal)
                .Select(c => "probed." + sql.DelimitIdentifier(c));
            var probe = $"SELECT {string.Join(", ", columns)} FROM {sql.DelimitIdentifier(table.Key.Name, table.Key.Schema)} AS probed WHERE 1 = 0";
            try
            {
                await db.Database.ExecuteSqlRawAsync(probe, cancellationToken).ConfigureAwait(false);
            }
            catch (DbException ex)
            {
                var why = HasPendingModelChanges(db)
                    ? $"its migrations do not hold the CRM's current model (after adding ApplyCrm…() or upgrading the packages, add one: 'dotnet ef migrations add UpgradeCrm --context {name}', then apply it)"
                    : "its migrations say it is up to date, but the database was created or changed another way (apply the context's migrations to a new database, or EnsureCreated() one that has none)";
                throw new InvalidOperationException(
                    $"The database of {name} lacks the CRM's table {table.Key.DisplayName()} or one of its columns: {ex.Message.Trim()}. It would fail at the first request; {why}.", ex);
            }
        }
    }

    private static bool HasPendingModelChanges(TContext db)
    {
        try
        {
            return db.Database.HasPendingModelChanges();
        }
        catch (InvalidOperationException)
        {
            // A context without a migrations assembly cannot compare; the probe's own message says enough.
            return true;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
