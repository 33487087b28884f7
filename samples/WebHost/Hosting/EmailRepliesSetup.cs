using Crm.Channels.DependencyInjection;
using Crm.Channels.Email;

namespace Crm.WebHost.Hosting;

internal static class EmailRepliesSetup
{
    /// <summary>
    /// The inboxes agents answer from. Either several under <c>Crm:Email:Inboxes:{name}</c> (address and aliases,
    /// display name, Liquid signature, an IMAP mailbox and an SMTP server of their own, or else the shared ones), the
    /// default one named by <c>Crm:Email:DefaultInbox</c>; or the single-inbox form: <c>Crm:Email:ReplyFrom</c> with <c>Crm:Email:Signature</c>.
    /// Mail goes through <c>Crm:Smtp:*</c> unless an inbox has its own server, or else into the pickup directory the admin UI lists.
    /// </summary>
    public static ICrmChannelsBuilder AddCrmEmailReplies(this ICrmChannelsBuilder channels, IConfiguration configuration)
    {
        var email = configuration.GetSection(HostSettings.EmailSection);
        var smtp = configuration.GetSection("Crm:Smtp");
        var dkim = configuration.GetSection("Crm:Campaigns:Dkim");
        // Mail from our campaign sender that comes back in (a loop, a forwarded notification) is never a ticket; the
        // inboxes' own addresses are known to the email channel already.
        channels.Services.PostConfigure<EmailOptions>(options =>
        {
            if (configuration["Crm:Campaigns:FromAddress"] is { Length: > 0 } campaignSender)
            {
                options.OwnAddresses.Add(campaignSender);
            }
        });

        // Configuration lists sections by name, so the default inbox is named (Crm:Email:DefaultInbox) or else the first by name.
        var inboxes = email.GetSection(HostSettings.InboxesSection).GetChildren().ToList();
        if (email["DefaultInbox"] is { Length: > 0 } defaultInbox)
        {
            var chosen = inboxes.Find(i => i.Key == defaultInbox)
                ?? throw new InvalidOperationException($"Crm:Email:DefaultInbox names '{defaultInbox}', which is not one of Crm:Email:Inboxes ({string.Join(", ", inboxes.Select(i => i.Key))}).");
            inboxes = [chosen, .. inboxes.Where(i => i != chosen)];
        }

        if (inboxes.Count == 0)
        {
            return channels.AddEmailReplies(options =>
            {
                options.From = email["ReplyFrom"] ?? "Support <support@crm.example>";
                options.Signature = email["Signature"];
                BindTransport(options, smtp, dkim);
            });
        }

        foreach (var inbox in inboxes)
        {
            var address = inbox["Address"];
            if (string.IsNullOrWhiteSpace(address))
            {
                throw new InvalidOperationException($"{inbox.Path}:Address is required: the address customers write to and the inbox answers from.");
            }

            channels.AddEmailInbox(inbox.Key, options =>
            {
                options.From = new MimeKit.MailboxAddress(inbox["DisplayName"] ?? "", address).ToString();
                foreach (var alias in inbox.GetSection("Addresses").Get<string[]>() ?? [])
                {
                    options.Addresses.Add(alias);
                }

                options.Signature = inbox["Signature"];
                // An inbox without a server of its own sends through the shared one; its own DKIM key signs for its own domain.
                var own = inbox.GetSection("Smtp");
                BindTransport(options, own.Exists() ? own : smtp, inbox.GetSection("Dkim").Exists() ? inbox.GetSection("Dkim") : dkim);
                options.PickupDirectory = inbox["PickupDirectory"] ?? own["PickupDirectory"] ?? smtp["PickupDirectory"] ?? "outbox";
            });

            var imap = inbox.GetSection("Imap");
            if (!string.IsNullOrEmpty(imap["Host"]))
            {
                channels.AddImapMailbox(inbox.Key, options =>
                {
                    imap.Bind(options);
                    options.Inbox = inbox.Key;
                });
            }
        }

        return channels;
    }

    private static void BindTransport(EmailReplyOptions options, IConfigurationSection smtp, IConfigurationSection dkim)
    {
        options.SmtpHost = smtp["Host"];
        options.SmtpPort = smtp.GetValue("Port", 25);
        options.SmtpUserName = smtp["UserName"];
        options.SmtpPassword = smtp["Password"];
        // OAuth: the same sign-in as campaigns (Microsoft 365, Google) instead of the password.
        smtp.GetSection("OAuth").Bind(options.SmtpOAuth);
        options.PickupDirectory = smtp["PickupDirectory"] ?? "outbox";
        // Replies are signed like campaigns.
        dkim.Bind(options.Dkim);
    }
}
