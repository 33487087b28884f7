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
}
