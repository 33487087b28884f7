using Crm.Campaigns.Tracking;
using Crm.Channels.Ingestion;
using Crm.Storage.EfCore.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Crm.Storage.EfCore;

/// <summary>
/// Checks at start what would otherwise fail on the first request: the context holds the tables of every feature in use
/// (<c>ApplyCrmChannels()</c>, <c>ApplyCrmCampaigns()</c>), and its schema is up to date.
/// </summary>
internal sealed class CrmStoreStartupCheck<TContext>(IServiceProvider services, IDbContextFactory<TContext> contexts) : IHostedService
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

        if (services.GetService<IIngestionPipeline>() is not null && db.Model.FindEntityType(typeof(TicketRecord)) is null)
        {
            throw new InvalidOperationException($"Crm.Channels is registered but {name} has no ticket tables: call modelBuilder.ApplyCrmChannels() in {name}.OnModelCreating.");
        }

        if (services.GetService<TrackingKeyProvider>() is not null && db.Model.FindEntityType(typeof(CampaignRecord)) is null)
        {
            throw new InvalidOperationException($"Crm.Campaigns is registered (AddBulkEmail) but {name} has no campaign tables: call modelBuilder.ApplyCrmCampaigns() in {name}.OnModelCreating.");
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
