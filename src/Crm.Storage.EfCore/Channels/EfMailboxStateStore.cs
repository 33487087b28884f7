using Crm.Channels.Email;
using Crm.Storage.EfCore.Entities;
using Microsoft.EntityFrameworkCore;

namespace Crm.Storage.EfCore.Channels;

/// <summary>The EF Core <see cref="IMailboxStateStore"/>.</summary>
/// <typeparam name="TContext">A context that applied <c>ApplyCrmChannels()</c>.</typeparam>
internal sealed class EfMailboxStateStore<TContext>(IDbContextFactory<TContext> contexts) : IMailboxStateStore
    where TContext : DbContext
{
    /// <inheritdoc />
    public async Task<MailboxCheckpoint?> GetCheckpointAsync(string mailbox, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<MailboxCheckpointRecord>().AsNoTracking().FirstOrDefaultAsync(c => c.Mailbox == mailbox, cancellationToken).ConfigureAwait(false);
        return row is null ? null : new MailboxCheckpoint((uint)row.UidValidity, (uint)row.LastUid);
    }

    /// <inheritdoc />
    public async Task SaveCheckpointAsync(string mailbox, MailboxCheckpoint checkpoint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<MailboxCheckpointRecord>().FirstOrDefaultAsync(c => c.Mailbox == mailbox, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            row = new MailboxCheckpointRecord { Mailbox = mailbox };
            db.Add(row);
        }

        row.UidValidity = checkpoint.UidValidity;
        row.LastUid = checkpoint.LastUid;
        row.UpdatedAt = now.ToUniversalTime();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task QuarantineAsync(QuarantinedEmail email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        db.Add(new QuarantinedEmailRecord
        {
            Source = email.Source,
            Uid = email.Uid,
            Reason = email.Reason.Length > 1024 ? email.Reason[..1024] : email.Reason,
            Size = email.Size,
            QuarantinedAt = email.QuarantinedAt.ToUniversalTime(),
        });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<QuarantinedEmail>> ListQuarantineAsync(int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<QuarantinedEmailRecord>().AsNoTracking().OrderByDescending(q => q.Id).Take(limit).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(q => new QuarantinedEmail(q.Source, (uint?)q.Uid, q.Reason, q.Size, q.QuarantinedAt)).ToList();
    }
}
