using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Crm.Storage.EfCore;

/// <summary>Tells a store that is unavailable for now (locked, unreachable, damaged) from a bug, so hosts can answer 503.</summary>
public static class CrmStoreErrors
{
    // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB.
    private static readonly HashSet<int> UnavailableSqliteCodes = [5, 6, 10, 11, 13, 14, 26];

    /// <summary>True when <paramref name="exception"/> (or one it wraps) says the database cannot serve right now.</summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case SqliteException sqlite when UnavailableSqliteCodes.Contains(sqlite.SqliteErrorCode):
                case DbException { IsTransient: true }:
                case TimeoutException:
                    return true;
            }
        }

        return false;
    }
}
