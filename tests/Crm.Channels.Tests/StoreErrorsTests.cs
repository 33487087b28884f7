using Crm.Storage.EfCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Channels.Tests;

/// <summary>What the stores call "unavailable" (answered 503) on SQLite, as the provider package classifies it.</summary>
public sealed class StoreErrorsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("crm-errors-").FullName;

    [Theory]
    [InlineData(5)]   // SQLITE_BUSY
    [InlineData(6)]   // SQLITE_LOCKED
    [InlineData(11)]  // SQLITE_CORRUPT
    [InlineData(26)]  // SQLITE_NOTADB
    public async Task A_locked_or_damaged_sqlite_database_is_unavailable_even_wrapped_by_ef(int code)
    {
        await using var services = Services("crm.db");
        var errors = services.GetRequiredService<CrmStoreErrors>();
        var error = new SqliteException("store error", code);

        Assert.True(errors.IsUnavailable(error));
        Assert.True(errors.IsUnavailable(new DbUpdateException("save failed", error)));
    }

    [Theory]
    [InlineData(19)]  // SQLITE_CONSTRAINT: a bug or a race the caller handles, not an outage
    [InlineData(1)]   // SQLITE_ERROR: bad SQL
    public async Task Constraint_and_sql_errors_are_not_unavailability(int code)
    {
        await using var services = Services("crm.db");
        var errors = services.GetRequiredService<CrmStoreErrors>();

        Assert.False(errors.IsUnavailable(new SqliteException("store error", code)));
        Assert.False(errors.IsUnavailable(new InvalidOperationException("bug")));
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_fails_the_probe_as_unavailable()
    {
        await File.WriteAllBytesAsync(Path.Combine(_directory, "damaged.db"), Enumerable.Repeat((byte)0x5A, 8192).ToArray());
        await using var services = Services("damaged.db");
        var database = services.GetRequiredService<ICrmDatabaseMigrator>();

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => database.ProbeAsync(CancellationToken.None));

        Assert.True(services.GetRequiredService<CrmStoreErrors>().IsUnavailable(failure), failure.ToString());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ServiceProvider Services(string file)
        => new ServiceCollection().AddCrmEntityFrameworkStores(o => o.UseCrmSqlite($"Data Source={Path.Combine(_directory, file)};Pooling=False")).BuildServiceProvider();
}
