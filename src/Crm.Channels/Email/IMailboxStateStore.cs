namespace Crm.Channels.Email;

/// <summary>Where the IMAP poller keeps its place in each mailbox and records mail it could not read.</summary>
public interface IMailboxStateStore
{
    /// <summary>The checkpoint of a mailbox, or null before its first message.</summary>
    Task<MailboxCheckpoint?> GetCheckpointAsync(string mailbox, CancellationToken cancellationToken);

    /// <summary>Saves the checkpoint (after the message with <see cref="MailboxCheckpoint.LastUid"/> was handled).</summary>
    Task SaveCheckpointAsync(string mailbox, MailboxCheckpoint checkpoint, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records a message that could not be read, so an operator can look at it; the poller moves on.</summary>
    Task QuarantineAsync(QuarantinedEmail email, CancellationToken cancellationToken);

    /// <summary>The quarantined messages, newest first.</summary>
    Task<IReadOnlyList<QuarantinedEmail>> ListQuarantineAsync(int limit, CancellationToken cancellationToken);
}

/// <summary>A mailbox position: the UIDs seen so far under one UIDVALIDITY.</summary>
/// <param name="UidValidity">The folder's UIDVALIDITY; when the server changes it, UIDs restart and so does the poller.</param>
/// <param name="LastUid">The highest UID handled.</param>
public sealed record MailboxCheckpoint(uint UidValidity, uint LastUid);

/// <summary>A message the poller or the webhook could not read.</summary>
/// <param name="Source">The mailbox key, or <c>webhook</c>.</param>
/// <param name="Uid">The IMAP UID, when polled.</param>
/// <param name="Reason">What was wrong.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="QuarantinedAt">When.</param>
public sealed record QuarantinedEmail(string Source, uint? Uid, string Reason, long Size, DateTimeOffset QuarantinedAt);

/// <summary>A thread-safe <see cref="IMailboxStateStore"/> in memory, for tests and demos.</summary>
public sealed class InMemoryMailboxStateStore : IMailboxStateStore
{
    private readonly Dictionary<string, MailboxCheckpoint> _checkpoints = new(StringComparer.Ordinal);
    private readonly List<QuarantinedEmail> _quarantine = [];
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public Task<MailboxCheckpoint?> GetCheckpointAsync(string mailbox, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_checkpoints.GetValueOrDefault(mailbox));
        }
    }

    /// <inheritdoc />
    public Task SaveCheckpointAsync(string mailbox, MailboxCheckpoint checkpoint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _checkpoints[mailbox] = checkpoint;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task QuarantineAsync(QuarantinedEmail email, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _quarantine.Add(email);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<QuarantinedEmail>> ListQuarantineAsync(int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<QuarantinedEmail>>(_quarantine.AsEnumerable().Reverse().Take(limit).ToList());
        }
    }
}
