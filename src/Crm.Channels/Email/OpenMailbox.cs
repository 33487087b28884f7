using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Email;

/// <summary>An open folder, and the folder processed mail moves to when configured.</summary>
internal sealed record OpenMailbox(IMailFolder Folder, IMailFolder? MoveTarget);
