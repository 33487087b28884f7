namespace Crm.Channels.Email;

/// <summary>A mailbox position: the UIDs seen so far under one UIDVALIDITY.</summary>
/// <param name="UidValidity">The folder's UIDVALIDITY; when the server changes it, UIDs restart and so does the poller.</param>
/// <param name="LastUid">The highest UID handled.</param>
public sealed record MailboxCheckpoint(uint UidValidity, uint LastUid);
