using BenchmarkDotNet.Attributes;
using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Contacts;
using Crm.Campaigns.Segments;
using Crm.Channels.Ingestion;
using Crm.Channels.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Crm.Benchmarks.Micro;

/// <summary>Claiming a batch of ledger rows and recording their outcome, on a SQLite file of 20,000 rows.</summary>
[MemoryDiagnoser]
public class LedgerBenchmarks
{
    private DirectoryInfo _directory = null!;
    private ServiceProvider _services = null!;
    private ICampaignStore _store = null!;
    private long _campaignId;

    [Params(200)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = Directory.CreateTempSubdirectory("crm-bench-ledger-");
        _services = new ServiceCollection().AddCrmEntityFrameworkStores(o => o.UseCrmSqlite($"Data Source={Path.Combine(_directory.FullName, "crm.db")}")).BuildServiceProvider();
        await _services.MigrateCrmDatabaseAsync();
        var contacts = _services.GetRequiredService<IContactDirectory>();
        await contacts.UpsertAsync(Enumerable.Range(0, 20_000).Select(i => new ContactUpsert($"c{i}@bench.example", $"C{i}", null, null, null)).ToList(), DateTimeOffset.UtcNow, CancellationToken.None);
        _store = _services.GetRequiredService<ICampaignStore>();
        await _store.CreateAsync(new NewCampaign("s", "b", SegmentCriteria.All, DateTimeOffset.UtcNow, "n@shop.example", null, "https://crm.example", DateTimeOffset.UtcNow), CancellationToken.None);
        _campaignId = (await _store.LaunchNextDueAsync(DateTimeOffset.UtcNow, CancellationToken.None))!.Id;
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    /// <summary>Claims a batch and releases it back to pending: the ledger stays in a steady state across iterations.</summary>
    [Benchmark]
    public async Task<int> ClaimAndMarkBatch()
    {
        var now = DateTimeOffset.UtcNow;
        var batch = await _store.ClaimBatchAsync(BatchSize, "bench", now, now.AddMinutes(1), CancellationToken.None);
        await _store.CompleteAttemptsAsync(batch.Select(r => new SendAttempt(r.RecipientId, _campaignId, SendOutcome.Retry, RetryAt: now)).ToList(), now, CancellationToken.None);
        return batch.Count;
    }
}

/// <summary>One chat message through the ingestion pipeline: validation, dedupe check, contact, ticket, message.</summary>
[MemoryDiagnoser]
public class ChatIngestionBenchmarks
{
    private DirectoryInfo _directory = null!;
    private ServiceProvider _services = null!;
    private IIngestionPipeline _inMemory = null!;
    private IIngestionPipeline _sqlite = null!;
    private int _sequence;

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = Directory.CreateTempSubdirectory("crm-bench-intake-");
        _services = new ServiceCollection().AddCrmEntityFrameworkStores(o => o.UseCrmSqlite($"Data Source={Path.Combine(_directory.FullName, "crm.db")}")).BuildServiceProvider();
        await _services.MigrateCrmDatabaseAsync();
        _inMemory = Pipeline(new InMemoryTicketStore());
        _sqlite = Pipeline(_services.GetRequiredService<ITicketStore>());
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Benchmark(Baseline = true)]
    public Task<IngestionResult> InMemoryStore() => _inMemory.IngestAsync(Message(), CancellationToken.None);

    [Benchmark]
    public Task<IngestionResult> SqliteStore() => _sqlite.IngestAsync(Message(), CancellationToken.None);

    private InboundMessage Message()
    {
        var n = Interlocked.Increment(ref _sequence);
        return new InboundMessage
        {
            Channel = "chat",
            ExternalMessageId = "bench-" + n,
            Sender = new SenderIdentity(Email: $"visitor{n % 1000}@example.com", Name: "Visitor"),
            Text = "Do you ship oak tables to Norway?",
        };
    }

    /// <summary>The pipeline as an app resolves it, on the given store.</summary>
    private static IIngestionPipeline Pipeline(ITicketStore store)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddCrmChannels();
        services.AddSingleton(store);
        return services.BuildServiceProvider().GetRequiredService<IIngestionPipeline>();
    }
}
