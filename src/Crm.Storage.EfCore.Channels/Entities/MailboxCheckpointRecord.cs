using Crm.Storage.EfCore.Entities;
namespace Crm.Storage.EfCore.Channels.Entities;

/// <summary>A row of <c>mailbox_checkpoints</c>: how far the IMAP poller got in one mailbox.</summary>
internal sealed class MailboxCheckpointRecord : ICrmRecord
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
