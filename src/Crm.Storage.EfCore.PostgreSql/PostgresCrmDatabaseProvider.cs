using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Crm.Storage.EfCore.PostgreSql;

/// <summary>PostgreSQL's part of the CRM stores: claims with <c>SKIP LOCKED</c> and its unavailability codes.</summary>
internal sealed class PostgresCrmDatabaseProvider : CrmDatabaseProvider
{
    public static PostgresCrmDatabaseProvider Instance { get; } = new();

    public override string Name => "PostgreSQL";

    // SKIP LOCKED lets several dispatchers claim disjoint batches at once instead of queueing on the same rows.
    public override string ClaimBatchSql(string recipientsTable, string campaignsTable) => $$"""
        UPDATE {{recipientsTable}} SET state = 'sending', lease_owner = {0}, lease_until = {1}
        WHERE id IN (
            SELECT r.id FROM {{recipientsTable}} r
            JOIN {{campaignsTable}} c ON c.id = r.campaign_id AND c.status = 'sending'
            WHERE (r.state = 'pending' AND r.next_attempt_at <= {2}) OR (r.state = 'sending' AND r.lease_until < {2})
            ORDER BY r.id LIMIT {3}
            FOR UPDATE OF r SKIP LOCKED)
        RETURNING id AS "Value"
        """;

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
