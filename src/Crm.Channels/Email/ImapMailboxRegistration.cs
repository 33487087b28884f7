using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Email;

/// <summary>Records that <c>AddImapMailbox(name, ...)</c> configured a mailbox with this name.</summary>
/// <param name="Name">The options name.</param>
public sealed record ImapMailboxRegistration(string Name);
