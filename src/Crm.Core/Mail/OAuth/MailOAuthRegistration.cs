namespace Crm.Mail.OAuth;

/// <summary>
/// A mail connection that may sign in with OAuth, declared when it is added (an IMAP mailbox, the reply sender, the
/// campaign sender) so the admin and <c>/health</c> list it before its first use; <see cref="Resolve"/> reads its
/// settings once the options are built.
/// </summary>
internal sealed record MailOAuthRegistration(string Name, Func<IServiceProvider, MailOAuthAccount?> Resolve);

/// <summary>The mailbox a connection signs in to, and how.</summary>
internal sealed record MailOAuthAccount(string Account, MailOAuthOptions OAuth);
