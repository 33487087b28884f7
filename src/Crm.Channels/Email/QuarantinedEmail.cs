namespace Crm.Channels.Email;

/// <summary>A message the poller or the webhook could not turn into a ticket: kept, with its reason, for an agent to decide.</summary>
/// <param name="Source">The mailbox key, or <c>webhook</c>.</param>
/// <param name="Uid">The IMAP UID, when polled.</param>
/// <param name="Reason">What was wrong.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="QuarantinedAt">When.</param>
public sealed record QuarantinedEmail(string Source, uint? Uid, string Reason, long Size, DateTimeOffset QuarantinedAt)
{
    /// <summary>The store's id (0 before it is stored).</summary>
    public long Id { get; init; }

    /// <summary>The sender as far as it could be read, or null.</summary>
    public string? Sender { get; init; }

    /// <summary>The subject as far as it could be read, or null.</summary>
    public string? Subject { get; init; }

    /// <summary>The raw message in the attachment store, or null when it could not be kept (over the size limit).</summary>
    public string? RawKey { get; init; }
}
