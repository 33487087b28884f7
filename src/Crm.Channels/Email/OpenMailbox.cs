using MailKit;

namespace Crm.Channels.Email;

/// <summary>An open folder, and the folder processed mail moves to when configured.</summary>
internal sealed record OpenMailbox(IMailFolder Folder, IMailFolder? MoveTarget);
