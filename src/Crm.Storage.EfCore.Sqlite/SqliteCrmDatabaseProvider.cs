using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Crm.Storage.EfCore.Sqlite;

/// <summary>SQLite's part of the CRM stores: the claim statement, date conventions, write-ahead logging, its error codes.</summary>
internal sealed class SqliteCrmDatabaseProvider : CrmDatabaseProvider
{
    // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB.
    private static readonly HashSet<int> UnavailableCodes = [5, 6, 10, 11, 13, 14, 26];

    public static SqliteCrmDatabaseProvider Instance { get; } = new();

    public override string Name => "SQLite";

    /// <summary>
    /// SQLite has no date-time-offset type it can compare or sort: the CRM's own dates are stored as sortable integers.
    /// Only the CRM's entities: an integrator's own columns keep the provider's default mapping.
    /// </summary>
    public override void ApplyConventions(ModelBuilder modelBuilder)
    {
        foreach (var entity in CrmEntityTypes(modelBuilder))
        {
            foreach (var property in entity.GetDeclaredProperties().Where(p => p.ClrType == typeof(DateTimeOffset) || p.ClrType == typeof(DateTimeOffset?)))
            {
                property.SetValueConverter(new DateTimeOffsetToBinaryConverter());
            }
        }
    }

    // WAL lets readers (the inbox, the pixel) run while the dispatcher and intake write.
    public override async Task AfterMigrateAsync(DbContext db, CancellationToken cancellationToken)
        => await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);

    public override bool IsUnavailable(Exception exception)
        => exception is SqliteException sqlite && UnavailableCodes.Contains(sqlite.SqliteErrorCode);
}
