using Npgsql;

namespace Crm.Storage.EfCore.PostgreSql;

/// <summary>PostgreSQL's part of the CRM stores: claims with <c>SKIP LOCKED</c> and its unavailability codes.</summary>
internal sealed class PostgresCrmDatabaseProvider : CrmDatabaseProvider
{
    public static PostgresCrmDatabaseProvider Instance { get; } = new();

    public override string Name => "PostgreSQL";

    // SKIP LOCKED lets several dispatchers claim disjoint batches at once instead of queueing on the same rows.
    public override string ClaimBatchSql => """
        UPDATE campaign_recipients SET state = 'sending', lease_owner = {0}, lease_until = {1}
        WHERE id IN (
            SELECT r.id FROM campaign_recipients r
            JOIN bulk_email_campaigns c ON c.id = r.campaign_id AND c.status = 'sending'
            WHERE (r.state = 'pending' AND r.next_attempt_at <= {2}) OR (r.state = 'sending' AND r.lease_until < {2})
            ORDER BY r.id LIMIT {3}
            FOR UPDATE OF r SKIP LOCKED)
        RETURNING id AS "Value"
        """;

    // Shutting down (57P01–57P03), too many connections (53300), connection failures (08xxx).
    public override bool IsUnavailable(Exception exception)
        => exception is PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "53300" } or PostgresException { SqlState: [ '0', '8', .. ] }
            || exception is NpgsqlException { IsTransient: true };
}
