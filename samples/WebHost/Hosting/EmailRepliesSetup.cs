using Crm.Channels.DependencyInjection;

namespace Crm.WebHost.Hosting;

internal static class EmailRepliesSetup
{
    /// <summary>
    /// Agents' email replies: from <c>Crm:Email:ReplyFrom</c> with <c>Crm:Email:Signature</c>, through the same SMTP
    /// server as campaigns (<c>Crm:Smtp:*</c>) or, when none is set, into the same pickup directory the admin UI lists.
    /// </summary>
    public static ICrmChannelsBuilder AddCrmEmailReplies(this ICrmChannelsBuilder channels, IConfiguration configuration)
    {
        var email = configuration.GetSection(HostSettings.EmailSection);
        var smtp = configuration.GetSection("Crm:Smtp");
        // Mail from our own addresses that comes back in (a loop, a forwarded notification) is never a ticket.
        var replyFrom = email["ReplyFrom"] ?? "Support <support@crm.example>";
        channels.Services.PostConfigure<Crm.Channels.Email.EmailOptions>(options =>
        {
            if (MimeKit.MailboxAddress.TryParse(replyFrom, out var reply))
            {
                options.OwnAddresses.Add(reply.Address);
            }

            if (configuration["Crm:Campaigns:FromAddress"] is { Length: > 0 } campaignSender)
            {
                options.OwnAddresses.Add(campaignSender);
            }
        });
        return channels.AddEmailReplies(options =>
        {
            options.From = replyFrom;
            options.Signature = email["Signature"];
            options.SmtpHost = smtp["Host"];
            options.SmtpPort = smtp.GetValue("Port", 25);
            options.SmtpUserName = smtp["UserName"];
            options.SmtpPassword = smtp["Password"];
            // Crm:Smtp:OAuth: the same sign-in as campaigns (Microsoft 365, Google) instead of the password.
            smtp.GetSection("OAuth").Bind(options.SmtpOAuth);
            options.PickupDirectory = smtp["PickupDirectory"] ?? "outbox";
            // One key for all outgoing mail: replies are signed like campaigns.
            configuration.GetSection("Crm:Campaigns:Dkim").Bind(options.Dkim);
        });
    }
}
