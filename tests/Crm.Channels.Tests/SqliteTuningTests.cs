using System.Data.Common;
using Crm.Storage;
using Crm.Storage.EfCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Channels.Tests;

/// <summary>What every SQLite connection the stores open is set to, whether opened synchronously or not.</summary>
public sealed class SqliteTuningTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("crm-tuning-").FullName;

    [Theory]
    [InlineData("", 30_000, true)]
    [InlineData("", 30_000, false)]
    [InlineData(";Default Timeout=5", 5_000, true)]
    public async Task A_writer_that_meets_another_waits_in_sqlite_for_the_connection_timeout(string settings, long busyTimeout, bool openAsync)
    {
        // Without busy_timeout SQLite answers "busy" at once and Microsoft.Data.Sqlite sleeps 150 ms before each retry:
        // a campaign's ledger claim that met its outcome commit stalled for 150 ms.
        await using var services = new ServiceCollection()
            .AddCrmEntityFrameworkStores(o => o.UseCrmSqlite($"Data Source={Path.Combine(_directory, "crm.db")};Pooling=False{settings}"))
            .BuildServiceProvider();
        await using var db = await services.GetRequiredService<IDbContextFactory<Crm.Database.CrmDbContext>>().CreateDbContextAsync();
        if (openAsync)
        {
            await db.Database.OpenConnectionAsync();
        }
        else
        {
            db.Database.OpenConnection();
        }

        var connection = db.Database.GetDbConnection();
        Assert.Equal(busyTimeout, await ScalarAsync(connection, "PRAGMA busy_timeout"));
        Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA synchronous")); // NORMAL
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task<long> ScalarAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
