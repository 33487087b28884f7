namespace Crm.Channels.Email;

/// <summary>Where the IMAP poller keeps its place in each mailbox and records mail it could not read.</summary>
public interface IMailboxStateStore
{
    /// <summary>The checkpoint of a mailbox, or null before its first message.</summary>
    Task<MailboxCheckpoint?> GetCheckpointAsync(string mailbox, CancellationToken cancellationToken);

    /// <summary>Saves the checkpoint (after the message with <see cref="MailboxCheckpoint.LastUid"/> was handled).</summary>
    Task SaveCheckpointAsync(string mailbox, MailboxCheckpoint checkpoint, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records a message that could not be read, so an agent can look at it; answers its id.</summary>
    Task<long> QuarantineAsync(QuarantinedEmail email, CancellationToken cancellationToken);

    /// <summary>The quarantined messages, newest first.</summary>
    Task<IReadOnlyList<QuarantinedEmail>> ListQuarantineAsync(int limit, CancellationToken cancellationToken);

    /// <summary>One quarantined message, or null.</summary>
    Task<QuarantinedEmail?> GetQuarantinedAsync(long id, CancellationToken cancellationToken);

    /// <summary>Removes a quarantined message (made a ticket, or deleted by an agent); false when there was none.</summary>
    Task<bool> RemoveQuarantinedAsync(long id, CancellationToken cancellationToken);
}
