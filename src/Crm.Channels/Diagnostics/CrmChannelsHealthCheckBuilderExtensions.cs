using Crm.Channels.Email;
using Crm.Channels.Replies;
using Crm.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the conversation feature's health checks.</summary>
public static class CrmChannelsHealthCheckBuilderExtensions
{
    /// <summary>
    /// Adds <c>crm-reply-outbox</c> (tags <c>crm</c>, <c>live</c>): Degraded while its rounds fail, Unhealthy once they have
    /// failed for a minute or none finished for twice the lease plus the poll interval (a hang); and one check per IMAP
    /// mailbox, <c>crm-imap</c> or <c>crm-imap-{name}</c> (tags <c>crm</c>, <c>mailbox</c>): Degraded, naming the mailbox
    /// and the reason, while it cannot connect, log in or read — mail waits on the server meanwhile, nothing is lost.
    /// </summary>
    public static IHealthChecksBuilder AddCrmChannelsHealthChecks(this IHealthChecksBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(new HealthCheckRegistration(
            "crm-reply-outbox",
            sp =>
            {
                var options = sp.GetRequiredService<IOptions<ReplyOutboxOptions>>().Value;
                return new LoopHealthCheck(
                    sp.GetRequiredService<LoopHealthRegistry>()[ReplyOutbox.HealthName],
                    "The reply outbox",
                    sp.GetRequiredService<TimeProvider>(),
                    failingAfter: TimeSpan.FromMinutes(1),
                    stuckAfter: (2 * options.Lease) + options.PollInterval);
            },
            HealthStatus.Unhealthy,
            [CrmHealthCheckTags.Crm, CrmHealthCheckTags.Live]));

        // Mailboxes may be added after this call: their checks are added when the health options are built.
        builder.Services.AddOptions<HealthCheckServiceOptions>().Configure<IEnumerable<ImapMailboxRegistration>, IOptionsMonitor<ImapMailboxOptions>>((health, mailboxes, imap) =>
        {
            foreach (var name in mailboxes.Select(m => m.Name).Distinct(StringComparer.Ordinal))
            {
                var options = imap.Get(name);
                var what = $"The mailbox {(string.IsNullOrEmpty(name) ? "" : $"'{name}' ")}({options.UserName}@{options.Host}:{options.Port}/{options.Folder})";
                health.Registrations.Add(new HealthCheckRegistration(
                    string.IsNullOrEmpty(name) ? "crm-imap" : "crm-imap-" + name,
                    sp => new LoopHealthCheck(sp.GetRequiredService<LoopHealthRegistry>()[ImapPoller.HealthName(name)], what, sp.GetRequiredService<TimeProvider>(), failingAfter: TimeSpan.Zero, stuckAfter: null),
                    HealthStatus.Degraded,
                    [CrmHealthCheckTags.Crm, CrmHealthCheckTags.Mailbox]));
            }
        });
        return builder;
    }
}
