using Crm.Hosting;
using Crm.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Crm.Channels.Tests;

/// <summary>The conversation feature's health checks: one per mailbox, and the reply outbox.</summary>
public sealed class HealthCheckTests
{
    [Fact]
    public async Task Each_mailbox_has_its_own_check_degraded_naming_it_and_why_while_it_cannot_log_in_and_the_reply_outbox_reports_its_rounds()
    {
        await using var dovecot = await DovecotServer.CreateAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddCrmChannels()
            .AddImapMailbox("support", o => Mailbox(o, dovecot.Port, DovecotServer.Password))
            .AddImapMailbox("billing", o => Mailbox(o, dovecot.Port, "not-the-password"))
            .UseInMemoryStore();
        builder.Services.AddHealthChecks().AddCrmChannelsHealthChecks();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var health = host.Services.GetRequiredService<HealthCheckService>();
            var report = await Poll.UntilAsync(
                () => health.CheckHealthAsync(),
                r => r.Entries["crm-imap-billing"].Status == HealthStatus.Degraded && r.Entries["crm-imap-support"].Description!.Contains("works", StringComparison.Ordinal),
                TimeSpan.FromSeconds(30),
                "the billing mailbox failing and the support mailbox read");

            var billing = report.Entries["crm-imap-billing"];
            Assert.Contains("The mailbox 'billing' (support@127.0.0.1:", billing.Description, StringComparison.Ordinal);
            Assert.Contains("retrying", billing.Description, StringComparison.Ordinal);
            Assert.Contains(CrmHealthCheckTags.Mailbox, billing.Tags);
            Assert.Equal(HealthStatus.Healthy, report.Entries["crm-imap-support"].Status);
            Assert.Equal(HealthStatus.Healthy, report.Entries["crm-reply-outbox"].Status);
            Assert.Contains(CrmHealthCheckTags.Live, report.Entries["crm-reply-outbox"].Tags);
            Assert.Equal(HealthStatus.Degraded, report.Status);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static void Mailbox(Crm.Channels.Email.ImapMailboxOptions options, int port, string password)
    {
        options.Host = "127.0.0.1";
        options.Port = port;
        options.Security = Crm.Channels.Email.MailSecurity.None;
        options.UserName = DovecotServer.UserName;
        options.Password = password;
        options.MaxReconnectDelay = TimeSpan.FromSeconds(2);
    }
}
