namespace Crm.Channels.Email;

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
