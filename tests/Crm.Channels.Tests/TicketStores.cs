using Crm.Channels.Storage;
using Crm.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Channels.Tests;

/// <summary>The stores every store-facing test runs against: one suite, parameterised by store.</summary>
public static class TicketStores
{
    public const string InMemory = "in-memory";
    public const string Sqlite = "sqlite-file";
    public const string Postgres = "postgresql";

    public static TheoryData<string> All => [InMemory, Sqlite, Postgres];

    /// <summary>Creates a fresh, empty store; dispose the handle to delete its database.</summary>
    public static async Task<StoreHandle> CreateAsync(string kind)
    {
        switch (kind)
        {
            case InMemory:
                return new StoreHandle(new InMemoryTicketStore(), null, null);
            case Sqlite:
                var directory = Directory.CreateTempSubdirectory("crm-store-");
                var services = new ServiceCollection()
                    .AddCrmEntityFrameworkStores(o => o.UseCrmSqlite($"Data Source={Path.Combine(directory.FullName, "crm.db")};Pooling=False"))
                    .BuildServiceProvider();
                await services.MigrateCrmDatabaseAsync();
                return new StoreHandle(services.GetRequiredService<ITicketStore>(), services, directory);
            case Postgres:
                var connectionString = await PostgresServer.CreateDatabaseAsync();
                var pgServices = new ServiceCollection()
                    .AddCrmEntityFrameworkStores(o => o.UseCrmPostgres(connectionString))
                    .BuildServiceProvider();
                await pgServices.MigrateCrmDatabaseAsync();
                return new StoreHandle(pgServices.GetRequiredService<ITicketStore>(), pgServices, null, connectionString);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }
}

public sealed class StoreHandle(ITicketStore store, ServiceProvider? services, DirectoryInfo? directory, string? postgresDatabase = null) : IAsyncDisposable
{
    public ITicketStore Store { get; } = store;

    /// <summary>The store's services (null for the in-memory store).</summary>
    public IServiceProvider? Services { get; } = services;

    /// <summary>The same database's mailbox state (checkpoints and quarantine).</summary>
    public Crm.Channels.Email.IMailboxStateStore MailboxState { get; } =
        services?.GetRequiredService<Crm.Channels.Email.IMailboxStateStore>() ?? new Crm.Channels.Email.InMemoryMailboxStateStore();

    public async ValueTask DisposeAsync()
    {
        if (services is not null)
        {
            await services.DisposeAsync();
        }

        directory?.Delete(recursive: true);
        if (postgresDatabase is not null)
        {
            await PostgresServer.DropDatabaseAsync(postgresDatabase);
        }
    }
}
