using Crm.Storage.EfCore.Entities;
namespace Crm.Storage.EfCore.Channels.Entities;

/// <summary>A row of <c>quarantined_emails</c>: mail that could not be read.</summary>
internal sealed class QuarantinedEmailRecord : ICrmRecord
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

    /// <summary>The sender as far as it could be read.</summary>
    public string? Sender { get; set; }

    /// <summary>The subject as far as it could be read.</summary>
    public string? Subject { get; set; }

    /// <summary>The raw message's key in the attachment store.</summary>
    public string? RawKey { get; set; }
}
