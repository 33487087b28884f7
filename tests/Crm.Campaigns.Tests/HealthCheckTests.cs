using Crm.Campaigns.Campaigns;
using Crm.Hosting;
using Crm.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Crm.Campaigns.Tests;

/// <summary>The campaign feature's health checks, and the loop health every CRM loop reports through.</summary>
public sealed class HealthCheckTests
{
    [Fact]
    public async Task A_loop_is_healthy_before_it_runs_degraded_while_it_fails_unhealthy_after_failing_a_minute_or_hanging_and_healthy_again_after_a_round()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var loop = new LoopHealthRegistry(clock)["dispatcher"];
        var check = new LoopHealthCheck(loop, "The campaign dispatcher", clock, failingAfter: TimeSpan.FromMinutes(1), stuckAfter: TimeSpan.FromMinutes(5));

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(check)).Status);

        loop.Succeeded();
        clock.Advance(TimeSpan.FromSeconds(10));
        loop.Failed(new TimeoutException("The store did not answer in time."));
        clock.Advance(TimeSpan.FromSeconds(30));
        loop.Failed(new TimeoutException("The store did not answer in time."));
        var failing = await CheckAsync(check);
        Assert.Equal(HealthStatus.Degraded, failing.Status);
        Assert.Contains("has failed 2 time(s) over 30 s", failing.Description, StringComparison.Ordinal);
        Assert.Contains("The store did not answer in time.", failing.Description, StringComparison.Ordinal);

        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(HealthStatus.Unhealthy, (await CheckAsync(check)).Status);

        loop.Succeeded();
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(check)).Status);

        clock.Advance(TimeSpan.FromMinutes(5));
        var hanging = await CheckAsync(check);
        Assert.Equal(HealthStatus.Unhealthy, hanging.Status);
        Assert.Contains("has not finished a round for 300 s", hanging.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_smtp_check_is_degraded_naming_the_server_while_nothing_listens_and_healthy_once_a_server_does()
    {
        var port = HostProcess.FreeTcpPort();
        using var host = BuildHost(bulkEmail => bulkEmail.UseSmtp(o =>
        {
            o.Host = "127.0.0.1";
            o.Port = port;
            o.Security = Crm.Campaigns.Sending.SmtpSecurity.None;
        }));

        var unreachable = await CheckAsync(host, "crm-smtp");
        Assert.Equal(HealthStatus.Degraded, unreachable.Status);
        Assert.Contains($"Campaign mail cannot reach the SMTP server 127.0.0.1:{port}", unreachable.Description, StringComparison.Ordinal);

        await using var sink = await SmtpSink.StartAsync(port);
        var reachable = await CheckAsync(host, "crm-smtp");
        Assert.Equal(HealthStatus.Healthy, reachable.Status);
        Assert.Empty(sink.MessageFiles());
    }

    [Fact]
    public async Task The_pickup_folder_check_is_degraded_when_the_folder_cannot_be_written()
    {
        var blocker = Path.GetTempFileName(); // a file where the folder should be
        try
        {
            using var host = BuildHost(bulkEmail => bulkEmail.UsePickupDirectory(o => o.Directory = Path.Combine(blocker, "outbox")));

            var result = await CheckAsync(host, "crm-smtp");

            Assert.Equal(HealthStatus.Degraded, result.Status);
            Assert.Contains("Campaign mail cannot reach the pickup folder", result.Description, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(blocker);
        }
    }

    [Fact]
    public async Task The_dispatcher_check_is_degraded_while_its_store_fails_and_healthy_once_a_round_works_again()
    {
        var faults = new StoreFaults();
        faults.Arm(nameof(ICampaignStore.LaunchNextDueAsync), StoreFaults.Of("timeout"));
        var pickup = Directory.CreateTempSubdirectory("crm-health-").FullName;
        try
        {
            using var host = BuildHost(
                bulkEmail => bulkEmail.UsePickupDirectory(o => o.Directory = pickup).UseInMemoryStores(),
                services => services.Replace(ServiceDescriptor.Singleton<ICampaignStore>(sp => faults.Wrap<ICampaignStore>(sp.GetRequiredService<Crm.Campaigns.Storage.InMemoryCampaignStores>()))));
            await host.StartAsync();
            try
            {
                await Poll.UntilAsync(() => Task.FromResult(faults.Faulted(nameof(ICampaignStore.LaunchNextDueAsync))), n => n >= 1, TimeSpan.FromSeconds(20), "the dispatcher meeting the fault");
                var failing = await CheckAsync(host, "crm-dispatcher");
                Assert.Equal(HealthStatus.Degraded, failing.Status);
                Assert.Contains("The campaign dispatcher has failed", failing.Description, StringComparison.Ordinal);
                Assert.True(Registration(host, "crm-dispatcher").Tags.SetEquals([CrmHealthCheckTags.Crm, CrmHealthCheckTags.Live]));

                faults.Disarm(nameof(ICampaignStore.LaunchNextDueAsync));
                await Poll.UntilAsync(async () => (await CheckAsync(host, "crm-dispatcher")).Status, status => status == HealthStatus.Healthy, TimeSpan.FromSeconds(20), "the dispatcher healthy again");
            }
            finally
            {
                await host.StopAsync();
            }
        }
        finally
        {
            Directory.Delete(pickup, recursive: true);
        }
    }

    private static IHost BuildHost(Action<Crm.Campaigns.DependencyInjection.IBulkEmailBuilder> sender, Action<IServiceCollection>? more = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddRouting();
        var bulkEmail = builder.Services.AddBulkEmail(o => o.FromAddress = "news@shop.example")
            .ConfigureDispatcher(o => o.PollInterval = TimeSpan.FromMilliseconds(100));
        sender(bulkEmail);
        if (!builder.Services.Any(d => d.ServiceType == typeof(ICampaignStore)))
        {
            bulkEmail.UseInMemoryStores();
        }

        more?.Invoke(builder.Services);
        builder.Services.AddHealthChecks().AddCrmCampaignsHealthChecks();
        return builder.Build();
    }

    private static HealthCheckRegistration Registration(IHost host, string name)
        => host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>().Value.Registrations.Single(r => r.Name == name);

    private static async Task<HealthReportEntry> CheckAsync(IHost host, string name)
    {
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == name);
        return report.Entries[name];
    }

    private static Task<HealthCheckResult> CheckAsync(IHealthCheck check)
        => check.CheckHealthAsync(new HealthCheckContext { Registration = new HealthCheckRegistration("test", check, HealthStatus.Unhealthy, null) });
}
