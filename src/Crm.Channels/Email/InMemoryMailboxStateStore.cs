namespace Crm.Channels.Email;

/// <summary>A thread-safe <see cref="IMailboxStateStore"/> in memory, for tests and demos.</summary>
public sealed class InMemoryMailboxStateStore : IMailboxStateStore
{
    private readonly Dictionary<string, MailboxCheckpoint> _checkpoints = new(StringComparer.Ordinal);
    private readonly List<QuarantinedEmail> _quarantine = [];
    private readonly Lock _gate = new();
    private long _lastId;

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
    public Task<long> QuarantineAsync(QuarantinedEmail email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        lock (_gate)
        {
            var stored = email with { Id = ++_lastId };
            _quarantine.Add(stored);
            return Task.FromResult(stored.Id);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<QuarantinedEmail>> ListQuarantineAsync(int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<QuarantinedEmail>>(_quarantine.AsEnumerable().Reverse().Take(limit).ToList());
        }
    }

    /// <inheritdoc />
    public Task<QuarantinedEmail?> GetQuarantinedAsync(long id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_quarantine.Find(q => q.Id == id));
        }
    }

    /// <inheritdoc />
    public Task<bool> RemoveQuarantinedAsync(long id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_quarantine.RemoveAll(q => q.Id == id) > 0);
        }
    }
}
