using Crm.Storage.EfCore.Entities;
using Crm.Security;
using Microsoft.EntityFrameworkCore;

namespace Crm.Storage.EfCore;

/// <summary>Secrets the library generates once and keeps in <c>crm_settings</c>, shared by every host instance.</summary>
internal sealed class EfSecretStore<TContext>(IDbContextFactory<TContext> contexts) : ICrmSecretStore
    where TContext : DbContext
{
    /// <inheritdoc />
    public async Task<byte[]> GetOrCreateSecretAsync(string name, byte[] generated, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(generated);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var key = name;
        var stored = await db.Set<CrmSettingRecord>().AsNoTracking().FirstOrDefaultAsync(s => s.Key == key, cancellationToken).ConfigureAwait(false);
        if (stored is not null)
        {
            return Convert.FromBase64String(stored.Value);
        }

        db.Add(new CrmSettingRecord { Key = key, Value = Convert.ToBase64String(generated) });
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return generated;
        }
        catch (DbUpdateException)
        {
            // Another instance stored its secret first: use that one, so tokens verify on every instance. Nothing
            // stored means the write itself failed (a locked or unreachable store): that error is the caller's.
            db.ChangeTracker.Clear();
            var winner = await db.Set<CrmSettingRecord>().AsNoTracking().FirstOrDefaultAsync(s => s.Key == key, cancellationToken).ConfigureAwait(false);
            if (winner is null)
            {
                throw;
            }

            return Convert.FromBase64String(winner.Value);
        }
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetSecretAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var stored = await db.Set<CrmSettingRecord>().AsNoTracking().FirstOrDefaultAsync(s => s.Key == name, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : Convert.FromBase64String(stored.Value);
    }

    /// <inheritdoc />
    public async Task SetSecretAsync(string name, byte[] value, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var encoded = Convert.ToBase64String(value);
        // An update first, an insert when there was nothing: the last writer wins, as for any setting.
        var updated = await db.Set<CrmSettingRecord>().Where(s => s.Key == name).ExecuteUpdateAsync(s => s.SetProperty(r => r.Value, encoded), cancellationToken).ConfigureAwait(false);
        if (updated > 0)
        {
            return;
        }

        db.Add(new CrmSettingRecord { Key = name, Value = encoded });
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Inserted by another writer meanwhile: overwrite it, last writer wins.
            db.ChangeTracker.Clear();
            if (await db.Set<CrmSettingRecord>().Where(s => s.Key == name).ExecuteUpdateAsync(s => s.SetProperty(r => r.Value, encoded), cancellationToken).ConfigureAwait(false) == 0)
            {
                throw;
            }
        }
    }

    /// <inheritdoc />
    public async Task RemoveSecretAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Set<CrmSettingRecord>().Where(s => s.Key == name).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
    }
}
