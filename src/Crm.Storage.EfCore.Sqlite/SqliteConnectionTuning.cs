using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Crm.Storage.EfCore.Sqlite;

/// <summary>
/// Tunes every SQLite connection. <c>synchronous=NORMAL</c>: with the write-ahead log it cannot corrupt the database,
/// loses nothing when the process crashes, and only risks the last commits on power loss — while a commit stops costing
/// an fsync, which made every pixel hit and chat message wait on the disk. <c>busy_timeout</c> (the connection's
/// <see cref="SqliteConnection.DefaultTimeout"/>): a writer that finds another writer's transaction open waits in SQLite,
/// which retries after 1, 2, 5, 10… ms; without it SQLite answers "busy" at once and Microsoft.Data.Sqlite sleeps
/// 150 ms before each retry, so two writers that met (a campaign's ledger claim and its outcome commit) stalled the
/// loser for 150 ms.
/// </summary>
internal sealed class SqliteConnectionTuning : DbConnectionInterceptor
{
    /// <summary>The shared instance.</summary>
    public static SqliteConnectionTuning Instance { get; } = new();

    /// <inheritdoc />
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (connection is SqliteConnection sqlite)
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas(sqlite);
            command.ExecuteNonQuery();
        }
    }

    /// <inheritdoc />
    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (connection is SqliteConnection sqlite)
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = Pragmas(sqlite);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string Pragmas(SqliteConnection connection)
        => $"PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={(long)connection.DefaultTimeout * 1000};";
}
