using Crm.Channels.Email;
using Crm.Storage.EfCore.Channels.Entities;
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
    public async Task<long> QuarantineAsync(QuarantinedEmail email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = new QuarantinedEmailRecord
        {
            Source = email.Source,
            Uid = email.Uid,
            Reason = Clip(email.Reason, 1024)!,
            Size = email.Size,
            QuarantinedAt = email.QuarantinedAt.ToUniversalTime(),
            Sender = Clip(email.Sender, 320),
            Subject = Clip(email.Subject, 512),
            RawKey = email.RawKey,
        };
        db.Add(row);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return row.Id;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<QuarantinedEmail>> ListQuarantineAsync(int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<QuarantinedEmailRecord>().AsNoTracking().OrderByDescending(q => q.Id).Take(limit).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(ToModel).ToList();
    }

    /// <inheritdoc />
    public async Task<QuarantinedEmail?> GetQuarantinedAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<QuarantinedEmailRecord>().AsNoTracking().FirstOrDefaultAsync(q => q.Id == id, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToModel(row);
    }

    /// <inheritdoc />
    public async Task<bool> RemoveQuarantinedAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        // One statement: two agents pressing "make a ticket" at once get one ticket (the second finds nothing to remove).
        return await db.Set<QuarantinedEmailRecord>().Where(q => q.Id == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    private static QuarantinedEmail ToModel(QuarantinedEmailRecord q) =>
        new(q.Source, (uint?)q.Uid, q.Reason, q.Size, q.QuarantinedAt) { Id = q.Id, Sender = q.Sender, Subject = q.Subject, RawKey = q.RawKey };

    private static string? Clip(string? value, int length) => value is { Length: var n } && n > length ? value[..length] : value;
}
