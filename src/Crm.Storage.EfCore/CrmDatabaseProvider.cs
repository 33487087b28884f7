using Crm.Storage.EfCore.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Crm.Storage.EfCore;

/// <summary>
/// What differs between databases, kept out of the stores: a provider package (Crm.Storage.EfCore.Sqlite,
/// Crm.Storage.EfCore.PostgreSql) supplies one through its <c>UseCrm…</c> call. Everything else is LINQ or portable SQL.
/// </summary>
public abstract class CrmDatabaseProvider
{
    /// <summary>The database's name, for messages.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// True when the database can skip rows another transaction locked (<c>FOR UPDATE … SKIP LOCKED</c>), so several
    /// instances claim disjoint work at once; false when it serialises writers anyway (SQLite). The stores write their
    /// claims, beside their tables, for either.
    /// </summary>
    public virtual bool SkipsLockedRows => false;

    /// <summary>Adjusts the CRM's own entities to the database (called from <c>OnModelCreating</c>); see <see cref="CrmEntityTypes"/>.</summary>
    public virtual void ApplyConventions(ModelBuilder modelBuilder)
    {
    }

    /// <summary>
    /// The CRM's own entity types in <paramref name="modelBuilder"/>, from whichever feature package added them: the
    /// only ones <see cref="ApplyConventions"/> may change, so an integrator's entities in the same context keep theirs.
    /// </summary>
    protected static IEnumerable<IMutableEntityType> CrmEntityTypes(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        return modelBuilder.Model.GetEntityTypes().Where(e => typeof(ICrmRecord).IsAssignableFrom(e.ClrType));
    }

    /// <summary>Runs after the schema was migrated (e.g. switching SQLite to write-ahead logging).</summary>
    public virtual Task AfterMigrateAsync(DbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>True when the database can tell other hosts about work at once (<see cref="NotifyAsync"/>, <see cref="ListenAsync"/>).</summary>
    public virtual bool CanNotify => false;

    /// <summary>Tells every host listening on <paramref name="channel"/> (PostgreSQL <c>NOTIFY</c>).</summary>
    public virtual Task NotifyAsync(DbContext db, string channel, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Listens on <paramref name="channel"/> over a connection of its own until cancelled, calling
    /// <paramref name="notified"/> for each notification (PostgreSQL <c>LISTEN</c>); throws when the connection is lost.
    /// </summary>
    public virtual Task ListenAsync(DbContext db, string channel, Action notified, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

    /// <summary>True when the database's own error says it cannot serve now (locked, damaged, shutting down).</summary>
    public virtual bool IsUnavailable(Exception exception) => false;
}
