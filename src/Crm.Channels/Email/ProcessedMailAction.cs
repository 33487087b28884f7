namespace Crm.Channels.Email;

/// <summary>What the poller does with a message it has stored.</summary>
public enum ProcessedMailAction
{
    /// <summary>Leave it as it is (the checkpoint, not flags, tracks progress).</summary>
    None,

    /// <summary>Set <c>\Seen</c>.</summary>
    MarkSeen,

    /// <summary>Move it to <see cref="ImapMailboxOptions.MoveToFolder"/>.</summary>
    Move,
}
