namespace Crm.Storage.EfCore;

/// <summary>Creates or upgrades the CRM schema.</summary>
public interface ICrmDatabaseMigrator
{
    /// <summary>Applies pending EF migrations; on SQLite also switches the file to write-ahead logging.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>True when the database answers a trivial query.</summary>
    Task<bool> CanConnectAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Checks, cheaply, that the store can be written and read now: takes the write lock (a transaction that is rolled
    /// back, so nothing changes) and reads the schema's history table.
    /// </summary>
    /// <exception cref="Exception">What the database said, when it cannot.</exception>
    Task ProbeAsync(CancellationToken cancellationToken);
}
