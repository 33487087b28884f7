namespace Crm.Channels.Email;

/// <summary>A message the poller or the webhook could not read.</summary>
/// <param name="Source">The mailbox key, or <c>webhook</c>.</param>
/// <param name="Uid">The IMAP UID, when polled.</param>
/// <param name="Reason">What was wrong.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="QuarantinedAt">When.</param>
public sealed record QuarantinedEmail(string Source, uint? Uid, string Reason, long Size, DateTimeOffset QuarantinedAt);
