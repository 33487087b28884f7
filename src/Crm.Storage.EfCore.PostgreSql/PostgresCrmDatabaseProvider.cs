using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Crm.Storage.EfCore.PostgreSql;

/// <summary>PostgreSQL's part of the CRM stores: claims with <c>SKIP LOCKED</c> and its unavailability codes.</summary>
internal sealed class PostgresCrmDatabaseProvider : CrmDatabaseProvider
{
    public static PostgresCrmDatabaseProvider Instance { get; } = new();

    public override string Name => "PostgreSQL";

    public override bool SkipsLockedRows => true;

    public override bool CanNotify => true;

    public override Task NotifyAsync(DbContext db, string channel, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync("SELECT pg_notify({0}, '')", [channel], cancellationToken);

    public override async Task ListenAsync(DbContext db, string channel, Action notified, CancellationToken cancellationToken)
    {
        // A connection of its own, outside the pool: it waits for notifications for as long as the host runs.
        var builder = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false, KeepAlive = 30 };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        connection.Notification += (_, _) => notified();
        await using (var listen = new NpgsqlCommand($"LISTEN \"{channel.Replace("\"", "", StringComparison.Ordinal)}\"", connection))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            await connection.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // Shutting down (57P01–57P03), too many connections (53300), connection failures (08xxx).
    public override bool IsUnavailable(Exception exception)
        => exception is PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "53300" } or PostgresException { SqlState: [ '0', '8', .. ] }
            || exception is NpgsqlException { IsTransient: true };
}
