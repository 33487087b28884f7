using Microsoft.EntityFrameworkCore;

namespace Crm.Storage.EfCore.Campaigns;

/// <summary>
/// The few statements that differ between databases, kept out of the stores. Everything else is LINQ or
/// portable SQL.
/// </summary>
internal abstract class SqlDialect
{
    private static readonly SqlDialect Sqlite = new SqliteDialect();
    private static readonly SqlDialect Postgres = new PostgresDialect();

    public static SqlDialect For(DbContext db) => db.Database.ProviderName switch
    {
        "Microsoft.EntityFrameworkCore.Sqlite" => Sqlite,
        "Npgsql.EntityFrameworkCore.PostgreSQL" => Postgres,
        var other => throw new NotSupportedException($"Crm.Storage.EfCore supports SQLite and PostgreSQL, not {other}."),
    };

    /// <summary>
    /// Claims up to {3} ledger rows of sending campaigns, pending and due by {2} (Unix ms) or with a lease
    /// that expired before {2}, for owner {0} until {1}; returns the ids as column <c>Value</c>.
    /// </summary>
    public abstract string ClaimBatch { get; }

    private sealed class SqliteDialect : SqlDialect
    {
        // SQLite serialises writers, so the UPDATE's own subquery is already an atomic claim. Pending rows and
        // expired leases are two index range scans on (state, id); one OR over both would scan the whole ledger.
        public override string ClaimBatch => """
            UPDATE campaign_recipients SET state = 'sending', lease_owner = {0}, lease_until = {1}
            WHERE id IN (
                SELECT id FROM (
                    SELECT r.id FROM campaign_recipients r
                    WHERE r.state = 'pending' AND r.next_attempt_at <= {2}
                      AND r.campaign_id IN (SELECT c.id FROM bulk_email_campaigns c WHERE c.status = 'sending')
                    ORDER BY r.id LIMIT {3})
                UNION ALL
                SELECT id FROM (
                    SELECT r.id FROM campaign_recipients r
                    WHERE r.state = 'sending' AND r.lease_until < {2}
                      AND r.campaign_id IN (SELECT c.id FROM bulk_email_campaigns c WHERE c.status = 'sending')
                    ORDER BY r.id LIMIT {3})
                LIMIT {3})
            RETURNING id AS "Value"
            """;
    }

    private sealed class PostgresDialect : SqlDialect
    {
        // SKIP LOCKED lets several dispatchers claim disjoint batches at once instead of queueing on the same rows.
        public override string ClaimBatch => """
            UPDATE campaign_recipients SET state = 'sending', lease_owner = {0}, lease_until = {1}
            WHERE id IN (
                SELECT r.id FROM campaign_recipients r
                JOIN bulk_email_campaigns c ON c.id = r.campaign_id AND c.status = 'sending'
                WHERE (r.state = 'pending' AND r.next_attempt_at <= {2}) OR (r.state = 'sending' AND r.lease_until < {2})
                ORDER BY r.id LIMIT {3}
                FOR UPDATE OF r SKIP LOCKED)
            RETURNING id AS "Value"
            """;
    }
}
