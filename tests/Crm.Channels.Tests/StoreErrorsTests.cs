using Crm.Storage.EfCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Crm.Channels.Tests;

public sealed class StoreErrorsTests
{
    [Theory]
    [InlineData(5)]   // SQLITE_BUSY
    [InlineData(6)]   // SQLITE_LOCKED
    [InlineData(11)]  // SQLITE_CORRUPT
    [InlineData(26)]  // SQLITE_NOTADB
    public void A_locked_or_damaged_sqlite_database_is_unavailable_even_wrapped_by_ef(int code)
    {
        var error = new SqliteException("store error", code);

        Assert.True(CrmStoreErrors.IsUnavailable(error));
        Assert.True(CrmStoreErrors.IsUnavailable(new DbUpdateException("save failed", error)));
    }

    [Theory]
    [InlineData(19)]  // SQLITE_CONSTRAINT: a bug or a race the caller handles, not an outage
    [InlineData(1)]   // SQLITE_ERROR: bad SQL
    public void Constraint_and_sql_errors_are_not_unavailability(int code)
    {
        Assert.False(CrmStoreErrors.IsUnavailable(new SqliteException("store error", code)));
        Assert.False(CrmStoreErrors.IsUnavailable(new InvalidOperationException("bug")));
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_fails_the_probe()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("crm-damaged-").FullName, "crm.db");
        try
        {
            await File.WriteAllBytesAsync(path, Enumerable.Repeat((byte)0x5A, 8192).ToArray());
            var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection()
                .AddCrmEntityFrameworkStores(o => o.UseSqlite($"Data Source={path};Pooling=False"));
            await using var provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);
            var database = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<ICrmDatabaseMigrator>(provider);

            var failure = await Assert.ThrowsAnyAsync<Exception>(() => database.ProbeAsync(CancellationToken.None));

            Assert.True(CrmStoreErrors.IsUnavailable(failure), failure.ToString());
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
