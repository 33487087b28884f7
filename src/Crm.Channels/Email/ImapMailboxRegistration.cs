namespace Crm.Channels.Email;

/// <summary>Records that <c>AddImapMailbox(name, ...)</c> configured a mailbox with this name.</summary>
/// <param name="Name">The options name.</param>
public sealed record ImapMailboxRegistration(string Name);
