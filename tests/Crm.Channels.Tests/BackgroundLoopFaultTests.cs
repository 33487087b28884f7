using Crm.Channels.Attachments;
using Crm.Channels.Email;
using Crm.Channels.Ingestion;
using Crm.Channels.Replies;
using Crm.Channels.Storage;
using Crm.Channels.Tickets;
using Crm.Channels.WhatsApp;
using Crm.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Crm.Channels.Tests;

/// <summary>
/// Every background loop of Crm.Channels meets a failing store, in a host with .NET's default
/// <see cref="BackgroundServiceExceptionBehavior.StopHost"/>: an exception escaping a loop would stop the host. Each
/// loop must log, back off, go on, and do its work once the store answers again. The exceptions are the kinds that
/// slipped through before: a command timeout (an <see cref="OperationCanceledException"/> not caused by stopping) and I/O.
/// </summary>
public sealed class BackgroundLoopFaultTests
{
    public static TheoryData<string, string, string> Loops()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var fault in StoreFaults.Kinds)
        {
            data.Add(nameof(ReplyOutbox), nameof(IReplyOutboxStore.ClaimDueRepliesAsync), fault);
            data.Add("ChatOfflineCopies", nameof(IReplyOutboxStore.ClaimDueOfflineCopiesAsync), fault);
            data.Add("ConversationChangeWatcher", nameof(ITicketQueryStore.GetLatestMessageIdAsync), fault);
            data.Add("AttachmentRetention", nameof(IAttachmentStore.DeleteStoredBeforeAsync), fault);
            data.Add(nameof(WhatsAppMediaFetcher), nameof(ITicketStore.UpdateAttachmentsAsync), fault);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Loops))]
    public async Task A_loop_whose_store_fails_logs_backs_off_and_goes_on_without_stopping_the_host(string loop, string method, string fault)
    {
        var faults = new StoreFaults();
        faults.Arm(method, StoreFaults.Of(fault));
        var attachments = Directory.CreateTempSubdirectory("crm-loop-faults-").FullName;
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost);
        builder.Services.AddRouting();
        builder.Services.AddCrmChannels()
            .AddChat(o =>
            {
                o.OfflineEmailAfter = TimeSpan.FromSeconds(1);
                o.StreamPollInterval = TimeSpan.FromMilliseconds(100);
            })
            .AddWhatsApp(o =>
            {
                o.AccountSid = "AC" + new string('0', 32);
                o.AuthToken = "an-auth-token-of-some-length";
            })
            .ConfigureAttachments(o =>
            {
                o.Directory = attachments;
                o.Retention = TimeSpan.FromDays(30);
                o.RetentionSweepInterval = TimeSpan.FromSeconds(1);
            })
            .ConfigureReplyOutbox(o => o.PollInterval = TimeSpan.FromMilliseconds(100))
            .UseInMemoryStore();
        // Every concern of the one in-memory store, each through the fault injector.
        builder.Services.Replace(ServiceDescriptor.Singleton<ITicketStore>(sp => faults.Wrap<ITicketStore>(sp.GetRequiredService<InMemoryTicketStore>())));
        builder.Services.Replace(ServiceDescriptor.Singleton<ITicketQueryStore>(sp => faults.Wrap<ITicketQueryStore>(sp.GetRequiredService<InMemoryTicketStore>())));
        builder.Services.Replace(ServiceDescriptor.Singleton<IReplyOutboxStore>(sp => faults.Wrap<IReplyOutboxStore>(sp.GetRequiredService<InMemoryTicketStore>())));
        builder.Services.Replace(ServiceDescriptor.Singleton<IAttachmentStore>(sp => faults.Wrap<IAttachmentStore>(sp.GetRequiredService<FileSystemAttachmentStore>())));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            using var watching = host.Services.GetRequiredService<ConversationChanges>().Watch(1);
            if (loop == nameof(WhatsAppMediaFetcher))
            {
                await QueueMediaAsync(host.Services);
            }

            await WaitAsync(() => faults.Faulted(method) >= 3, $"{loop} meeting the fault three times");
            var passedBefore = faults.Passed(method);
            faults.Disarm(method);
            await WaitAsync(() => faults.Passed(method) > passedBefore, $"{loop} reaching the store again");

            var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
            Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, $"{loop} stopped the host");
            var service = Assert.Single(host.Services.GetServices<IHostedService>().OfType<BackgroundService>(), s => s.GetType().Name == loop);
            Assert.False(service.ExecuteTask!.IsCompleted, $"{loop} ended: {service.ExecuteTask.Exception}");
        }
        finally
        {
            await host.StopAsync();
            Directory.Delete(attachments, recursive: true);
        }
    }

    [Fact]
    public async Task The_imap_poller_meeting_a_server_that_answers_garbage_and_hangs_up_reconnects_without_stopping_the_host()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var connections = 0;
        using var stop = new CancellationTokenSource();
        var server = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                Interlocked.Increment(ref connections);
                await client.GetStream().WriteAsync("HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray(), stop.Token);
            }
        });
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost);
        builder.Services.AddRouting();
        builder.Services.AddCrmChannels().AddEmail(_ => { }).AddImapMailbox("support", o =>
        {
            o.Host = "127.0.0.1";
            o.Port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            o.Security = MailSecurity.None;
            o.UserName = "support";
            o.Password = "secret";
            o.MaxReconnectDelay = TimeSpan.FromSeconds(1);
        }).UseInMemoryStore();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            await WaitAsync(() => Volatile.Read(ref connections) >= 3, "three connections to the garbage server");

            Assert.False(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
            var poller = Assert.Single(host.Services.GetServices<IHostedService>().OfType<BackgroundService>(), s => s.GetType().Name == "ImapPoller");
            Assert.False(poller.ExecuteTask!.IsCompleted, $"the poller ended: {poller.ExecuteTask.Exception}");
        }
        finally
        {
            await host.StopAsync();
            await stop.CancelAsync();
            listener.Stop();
            await Task.WhenAny(server, Task.Delay(5000));
        }
    }

    /// <summary>A WhatsApp message whose media URL is refused at once: the fetcher goes straight to recording that on the message.</summary>
    private static async Task QueueMediaAsync(IServiceProvider services)
    {
        var store = services.GetRequiredService<ITicketStore>();
        var now = DateTimeOffset.UtcNow;
        var contact = await services.GetRequiredService<ITicketContactStore>().ResolveContactAsync(null, null, "+447700900999", "Media", true, now, CancellationToken.None);
        var media = new AttachmentInfo(null, "image/jpeg", null, Url: "not-a-url");
        var (ticket, message) = await store.CreateTicketAsync(
            new NewTicket(WhatsAppAdapter.ChannelName, "WhatsApp", contact.Id, Guid.NewGuid().ToString("N"), now),
            new NewTicketMessage(WhatsAppAdapter.ChannelName, "SMfault", MessageDirection.Inbound, "Media", "Photo", null, [media], now),
            CancellationToken.None);
        var fetcher = services.GetRequiredService<WhatsAppMediaFetcher>();
        await fetcher.HandleAsync(new TicketEvent(TicketEventKind.TicketCreated, ticket, message, false), CancellationToken.None);
    }

    private static Task WaitAsync(Func<bool> condition, string what)
        => Poll.UntilAsync(() => Task.FromResult(condition()), done => done, TimeSpan.FromSeconds(60), what);
}
