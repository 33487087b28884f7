using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace Crm.Storage.EfCore;

/// <summary>
/// Checks at start what would otherwise fail on the first request: the context says which database it runs on, holds
/// the tables of every feature in use (<see cref="CrmStoreRequirement"/>, added by the feature packages), and its schema is up to date.
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
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
