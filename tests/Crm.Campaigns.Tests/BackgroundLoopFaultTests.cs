using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Dispatching;
using Crm.Campaigns.Sending;
using Crm.Campaigns.Storage;
using Crm.Campaigns.Subscriptions;
using Crm.Campaigns.Tracking;
using Crm.Storage.EfCore;
using Crm.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Crm.Campaigns.Tests;

/// <summary>
/// The background loops of Crm.Campaigns meet a failing store in a host with .NET's default
/// <see cref="BackgroundServiceExceptionBehavior.StopHost"/>: each must log, back off, go on, and do its work once the
/// store answers again — an open queued during the outage is recorded, not dropped.
/// </summary>
public sealed class BackgroundLoopFaultTests
{
    public static TheoryData<string, string, string> Loops()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var fault in StoreFaults.Kinds)
        {
            data.Add(nameof(OpenRecorder), nameof(ITrackingStore.RecordOpensAsync), fault);
            data.Add(nameof(CampaignDispatcher), nameof(ICampaignStore.LaunchNextDueAsync), fault);
            data.Add(nameof(SubscriptionMailer), nameof(ICampaignSender.SendAsync), fault);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Loops))]
    public async Task A_loop_whose_store_fails_logs_backs_off_and_goes_on_without_stopping_the_host(string loop, string method, string fault)
    {
        var faults = new StoreFaults();
        faults.Arm(method, StoreFaults.Of(fault));
        var pickup = Directory.CreateTempSubdirectory("crm-loop-faults-").FullName;
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost);
        builder.Services.AddRouting();
        builder.Services.AddBulkEmail(o => o.FromAddress = "news@shop.example")
            .ConfigureDispatcher(o => o.PollInterval = TimeSpan.FromMilliseconds(100))
            .UsePickupDirectory(o => o.Directory = pickup)
            .UseInMemoryStores();
        builder.Services.Replace(ServiceDescriptor.Singleton<ICampaignStore>(sp => faults.Wrap<ICampaignStore>(sp.GetRequiredService<InMemoryCampaignStores>())));
        builder.Services.Replace(ServiceDescriptor.Singleton<ITrackingStore>(sp => faults.Wrap<ITrackingStore>(sp.GetRequiredService<InMemoryCampaignStores>())));
        var sender = builder.Services.Single(d => d.ServiceType == typeof(ICampaignSender));
        builder.Services.Replace(ServiceDescriptor.Singleton<ICampaignSender>(sp => faults.Wrap((ICampaignSender)(sender.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, sender.ImplementationType!)))));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            if (loop == nameof(OpenRecorder))
            {
                await host.Services.GetServices<IHostedService>().OfType<OpenRecorder>().Single().RecordAsync(1, 1, CancellationToken.None);
            }
            else if (loop == nameof(SubscriptionMailer))
            {
                var confirmation = new MimeKit.MimeMessage { Subject = "Please confirm" };
                confirmation.From.Add(MimeKit.MailboxAddress.Parse("news@shop.example"));
                confirmation.To.Add(MimeKit.MailboxAddress.Parse("new@example.com"));
                confirmation.Body = new MimeKit.TextPart("plain") { Text = "Confirm" };
                Assert.True(host.Services.GetRequiredService<SubscriptionMailer>().TryQueue(confirmation));
            }

            // The mailer retries a confirmation twice, a second and then ten seconds apart.
            var meetings = loop == nameof(SubscriptionMailer) ? 2 : 3;
            await WaitAsync(() => faults.Faulted(method) >= meetings, $"{loop} meeting the fault {meetings} times");
            var passedBefore = faults.Passed(method);
            faults.Disarm(method);
            await WaitAsync(() => faults.Passed(method) > passedBefore, $"{loop} reaching the store again");

            Assert.False(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested, $"{loop} stopped the host");
            var service = Assert.Single(host.Services.GetServices<IHostedService>().OfType<BackgroundService>(), s => s.GetType().Name == loop);
            Assert.False(service.ExecuteTask!.IsCompleted, $"{loop} ended: {service.ExecuteTask.Exception}");
        }
        finally
        {
            await host.StopAsync();
            Directory.Delete(pickup, recursive: true);
        }
    }

    [Fact]
    public async Task The_postgresql_wake_up_listener_whose_connection_is_killed_listens_again_without_stopping_the_host()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        var pickup = Directory.CreateTempSubdirectory("crm-loop-faults-").FullName;
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.Services.Configure<HostOptions>(o => o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost);
            builder.Services.AddRouting();
            builder.Services.AddBulkEmail(o => o.FromAddress = "news@shop.example").UsePickupDirectory(o => o.Directory = pickup);
            builder.Services.AddCrmEntityFrameworkStores(o => o.UseCrmPostgres(connectionString));
            using var host = builder.Build();
            await host.Services.MigrateCrmDatabaseAsync();
            await host.StartAsync();
            try
            {
                await using var admin = new Npgsql.NpgsqlConnection(connectionString);
                await admin.OpenAsync();
                // Three times the listener's connection dies under it, as in a failover or a restarted server.
                for (var i = 0; i < 3; i++)
                {
                    var listener = await Poll.UntilAsync(async () =>
                    {
                        await using var find = new Npgsql.NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()", admin);
                        return await find.ExecuteScalarAsync() as int?;
                    }, pid => pid is not null, TimeSpan.FromSeconds(30), "the wake-up listener's connection");
                    await using var kill = new Npgsql.NpgsqlCommand($"SELECT pg_terminate_backend({listener})", admin);
                    await kill.ExecuteScalarAsync();
                }

                await WaitAsync(() => CountListeners(connectionString) == 1, "the listener back after the third kill");
                Assert.False(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
                var wakeups = Assert.Single(host.Services.GetServices<IHostedService>().OfType<BackgroundService>(), s => s.GetType().Name.StartsWith("DispatcherWakeups", StringComparison.Ordinal));
                Assert.False(wakeups.ExecuteTask!.IsCompleted, $"the listener ended: {wakeups.ExecuteTask.Exception}");
            }
            finally
            {
                await host.StopAsync();
            }
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(connectionString);
            Directory.Delete(pickup, recursive: true);
        }
    }

    private static int CountListeners(string connectionString)
    {
        using var connection = new Npgsql.NpgsqlConnection(connectionString);
        connection.Open();
        using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()", connection);
        return Convert.ToInt32(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Task WaitAsync(Func<bool> condition, string what)
        => Poll.UntilAsync(() => Task.FromResult(condition()), done => done, TimeSpan.FromSeconds(60), what);
}
