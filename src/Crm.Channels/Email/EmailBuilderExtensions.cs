using Crm.Mail;
using Crm.Channels.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Crm.Channels.Email;
using Crm.Channels.Ingestion;
using Crm.Mail.OAuth;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the email channel: the inbound-MIME webhook and IMAP mailboxes.</summary>
public static class EmailBuilderExtensions
{
    /// <summary>
    /// Adds the email channel. The webhook <c>POST /tickets?channel=email</c> is on when
    /// <see cref="EmailOptions.InboundSecret"/> is set; add mailboxes to poll with <see cref="AddImapMailbox(ICrmChannelsBuilder, string, Action{ImapMailboxOptions})"/>.
    /// </summary>
    public static ICrmChannelsBuilder AddEmail(this ICrmChannelsBuilder builder, Action<EmailOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<EmailOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<EmailIntake>();
        services.TryAddSingleton<EmailQuarantine>();
        var probe = new EmailOptions();
        configure(probe);
        if (!string.IsNullOrEmpty(probe.InboundSecret))
        {
            builder.AddAdapter<EmailWebhookAdapter>();
        }

        return builder;
    }

    /// <summary>Adds the email channel with settings bound from configuration.</summary>
    public static ICrmChannelsBuilder AddEmail(this ICrmChannelsBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return builder.AddEmail(section.Bind);
    }

    /// <summary>
    /// Lets agents answer email tickets (<c>POST /tickets/{id}/replies</c>) and start email conversations
    /// (<c>POST /tickets/outbound</c>) from the default inbox (<see cref="EmailReplyOptions.DefaultInbox"/>): through an
    /// SMTP server, or into a pickup directory when <see cref="EmailReplyOptions.SmtpHost"/> is unset.
    /// </summary>
    public static ICrmChannelsBuilder AddEmailReplies(this ICrmChannelsBuilder builder, Action<EmailReplyOptions> configure)
        => builder.AddInbox(new EmailInboxRegistration(EmailReplyOptions.DefaultInbox, Options.Options.DefaultName, EmailReplySender.OAuthConnectionName), configure);

    /// <summary>
    /// Adds an inbox of its own (support@, billing@, a second brand): mail to its addresses becomes tickets of this inbox,
    /// answered with its From, signature and SMTP server or pickup directory. Call once per inbox; the default inbox
    /// (<see cref="AddEmailReplies"/>, or else the first inbox added) answers tickets of no known inbox.
    /// </summary>
    /// <param name="builder">The channels builder.</param>
    /// <param name="name">The inbox's name (letters, digits, <c>-</c> and <c>_</c>), as tickets and the API name it.</param>
    /// <param name="configure">Its settings.</param>
    public static ICrmChannelsBuilder AddEmailInbox(this ICrmChannelsBuilder builder, string name, Action<EmailReplyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!InboxName.IsValid(name))
        {
            throw new ArgumentException($"The inbox name '{name}' must be {InboxName.Rule}.", nameof(name));
        }

        return builder.AddInbox(new EmailInboxRegistration(name, name, $"smtp:inbox:{name}"), configure);
    }

    private static ICrmChannelsBuilder AddInbox(this ICrmChannelsBuilder builder, EmailInboxRegistration inbox, Action<EmailReplyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(EmailInboxRegistration) && !d.IsKeyedService && d.ImplementationInstance is EmailInboxRegistration added && added.Name == inbox.Name))
        {
            throw new InvalidOperationException($"The inbox '{inbox.Name}' is added twice.");
        }

        services.AddSingleton(inbox);
        services.AddOptions<EmailReplyOptions>(inbox.OptionsName).Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        // The inbox's addresses are ours: mail to them is routed to this inbox, and mail from them is no customer's.
        services.AddOptions<EmailOptions>().PostConfigure<IOptionsMonitor<EmailReplyOptions>>((email, inboxes) =>
        {
            foreach (var own in inboxes.Get(inbox.OptionsName).ReceivingAddresses())
            {
                email.OwnAddresses.Add(own);
                email.InboxAddresses.TryAdd(own, inbox.Name);
            }
        });
        services.AddMailOAuthConnection(inbox.OAuthConnectionName, sp =>
        {
            var settings = sp.GetRequiredService<IOptionsMonitor<EmailReplyOptions>>().Get(inbox.OptionsName);
            return new MailOAuthAccount(settings.SmtpUserName ?? "", settings.SmtpOAuth);
        });
        services.TryAddSingleton(sp => new EmailInboxes(sp.GetServices<EmailInboxRegistration>(), sp.GetRequiredService<IOptionsMonitor<EmailReplyOptions>>()));
        services.TryAddSingleton<OutboundEmails>();
        return builder.AddReplySender<EmailReplySender>();
    }

    /// <summary>Polls an IMAP mailbox (call once per mailbox, each with its own name).</summary>
    public static ICrmChannelsBuilder AddImapMailbox(this ICrmChannelsBuilder builder, string name, Action<ImapMailboxOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        if (!services.Any(d => d.ServiceType == typeof(EmailIntake)))
        {
            builder.AddEmail(static _ => { });
        }

        services.AddOptions<ImapMailboxOptions>(name).Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(new ImapMailboxRegistration(name));
        services.AddMailOAuthConnection(ImapPoller.OAuthConnectionName(name), sp =>
        {
            var mailbox = sp.GetRequiredService<IOptionsMonitor<ImapMailboxOptions>>().Get(name);
            return new MailOAuthAccount(mailbox.UserName, mailbox.OAuth);
        });
        if (!services.Any(d => d.ServiceType == typeof(ImapPoller)))
        {
            services.AddSingleton<ImapPoller>();
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<ImapPoller>());
        }

        return builder;
    }

    /// <summary>Polls the default IMAP mailbox, bound from configuration (<c>Host</c>, <c>Port</c>, <c>UserName</c>, <c>Password</c>, <c>Folder</c>, <c>PollInterval</c>, ...).</summary>
    public static ICrmChannelsBuilder AddImapMailbox(this ICrmChannelsBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return builder.AddImapMailbox(Microsoft.Extensions.Options.Options.DefaultName, section.Bind);
    }

    /// <summary>Hands bounces to your sink as well (any number can be added).</summary>
    public static ICrmChannelsBuilder AddBounceSink<TSink>(this ICrmChannelsBuilder builder)
        where TSink : class, IBounceSink
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IBounceSink, TSink>());
        return builder;
    }
}
