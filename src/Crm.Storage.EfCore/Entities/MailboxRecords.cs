namespace Crm.Storage.EfCore.Entities;

/// <summary>A row of <c>mailbox_checkpoints</c>: how far the IMAP poller got in one mailbox.</summary>
internal sealed class MailboxCheckpointRecord
{
    /// <summary>The mailbox key (<c>imap://user@host:port/folder</c>).</summary>
    public string Mailbox { get; set; } = "";

    /// <summary>The folder's UIDVALIDITY.</summary>
    public long UidValidity { get; set; }

    /// <summary>The highest UID handled.</summary>
    public long LastUid { get; set; }

    /// <summary>When it last moved.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A row of <c>quarantined_emails</c>: mail that could not be read.</summary>
internal sealed class QuarantinedEmailRecord
{
    /// <summary>The id.</summary>
    public long Id { get; set; }

    /// <summary>The mailbox key, or <c>webhook</c>.</summary>
    public string Source { get; set; } = "";

    /// <summary>The IMAP UID.</summary>
    public long? Uid { get; set; }

    /// <summary>What was wrong.</summary>
    public string Reason { get; set; } = "";

    /// <summary>Its size.</summary>
    public long Size { get; set; }

    /// <summary>When.</summary>
    public DateTimeOffset QuarantinedAt { get; set; }
}
