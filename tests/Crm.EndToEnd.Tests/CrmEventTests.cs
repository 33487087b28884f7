using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Crm.Campaigns.Deliverability;
using Crm.Events;
using Crm.Security;
using Crm.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crm.EndToEnd.Tests;

/// <summary>
/// The integration events, in process: what an integrator's handlers hear as a conversation and two campaigns run
/// through the real endpoints, dispatcher and outbox on the in-memory stores.
/// </summary>
public sealed partial class CrmEventTests : IDisposable
{
    private const string ManagerKey = "manager-key-for-event-tests";

    private readonly string _outbox = Directory.CreateTempSubdirectory("crm-events-").FullName;

    public void Dispose() => Directory.Delete(_outbox, recursive: true);

    [Fact]
    public async Task Handlers_hear_each_change_once_after_it_is_stored_in_order_and_a_failing_handler_changes_nothing()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddCrmApiKeys(o => o.Keys.Add(new CrmApiKey(ManagerKey, CrmRoles.Manager)));
        builder.Services.AddCrmChannels().AddChat().UseInMemoryStore().AddEventHandler<EveryEvent>().AddEventHandler<FailingHandler>();
        builder.Services.AddBulkEmail(o => o.FromAddress = "news@shop.example")
            .ConfigureDispatcher(o => o.PollInterval = TimeSpan.FromMilliseconds(50))
            .UsePickupDirectory(o => o.Directory = _outbox)
            .ConfigureSubscriptions(o =>
            {
                o.Enabled = true;
                o.AllowedTags.Add("newsletter");
            })
            .UseInMemoryStores()
            .AddEventHandler<FirstContacts>()
            .AddEventHandler<EveryEvent>();
        builder.Services.AddCrmEventHandler<FirstContacts>();
        await using var app = builder.Build();
        app.MapCrmChannels().Agents.RequireAuthorization(CrmPolicies.Agents);
        var bulkEmail = app.MapBulkEmail();
        bulkEmail.Campaigns.RequireAuthorization(CrmPolicies.Marketing);
        bulkEmail.ContactsRead.RequireAuthorization(CrmPolicies.Agents);
        bulkEmail.ContactsWrite.RequireAuthorization(CrmPolicies.Marketing);
        await app.StartAsync();
        var heard = app.Services.GetRequiredService<EveryEvent>();
        using var visitor = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        using var manager = new HttpClient { BaseAddress = visitor.BaseAddress };
        manager.DefaultRequestHeaders.Add(CrmApiKeyDefaults.HeaderName, ManagerKey);

        // A conversation: opened, continued, answered (queued, then sent by the outbox), solved.
        var receipt = await (await visitor.PostAsJsonAsync("/tickets?channel=chat", new { name = "Ann", email = "ann@example.com", message = "Where is my parcel?" })).Content.ReadFromJsonAsync<JsonElement>();
        var ticketId = receipt.GetProperty("id").GetInt64();
        using (var followUp = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=chat") { Content = JsonContent.Create(new { email = "ann@example.com", message = "Order 1234.", conversationId = receipt.GetProperty("conversationId").GetString() }) })
        {
            followUp.Headers.Authorization = new("Bearer", receipt.GetProperty("visitorToken").GetString());
            using var stored = await visitor.SendAsync(followUp);
            Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        }

        using (var reply = await manager.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "It ships today." }))
        {
            Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
        }

        await Poll.UntilAsync(() => Task.FromResult(heard.OfType<TicketReplyDeliveryChangedEvent>().Count()), n => n >= 2, TimeSpan.FromSeconds(20), "the reply's sent event");
        using (var solved = await manager.PatchAsJsonAsync($"/tickets/{ticketId}", new { status = "solved" }))
        {
            Assert.Equal(HttpStatusCode.OK, solved.StatusCode);
        }

        // A campaign to two contacts: launched and completed; one unsubscribes by one-click, the other bounces.
        using (var import = await manager.PostAsJsonAsync("/contacts", new[] { new { email = "bob@example.com" }, new { email = "cy@example.com" } }))
        {
            Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        }

        var campaignId = (await (await manager.PostAsJsonAsync("/bulk-email", new { subject = "Autumn", body = "<p>Hello</p>" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await Poll.UntilAsync(() => Task.FromResult(heard.OfType<CampaignCompletedEvent>().Count()), n => n == 1, TimeSpan.FromSeconds(20), "the campaign's completion");
        var sent = Directory.EnumerateFiles(_outbox, "*.eml").Select(f => MimeKit.MimeMessage.Load(f)).ToList();
        var toBob = sent.Single(m => m.To.ToString().Contains("bob@example.com", StringComparison.Ordinal));
        var toCy = sent.Single(m => m.To.ToString().Contains("cy@example.com", StringComparison.Ordinal));
        var link = UnsubscribeLink().Match(toBob.Headers["List-Unsubscribe"] ?? "").Groups[1].Value;
        using (var oneClick = await visitor.PostAsync(link, new StringContent("List-Unsubscribe=One-Click", System.Text.Encoding.ASCII, "application/x-www-form-urlencoded")))
        {
            Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        }

        var bounce = new DeliveryEvent(DeliveryEventKind.HardBounce, "cy@example.com", "test", "550 5.1.1 no such user", DateTimeOffset.UtcNow);
        Assert.Equal(DeliveryEventOutcome.Suppressed, await app.Services.GetRequiredService<DeliveryEvents>().ApplyAsync(bounce, toCy.MessageId, CancellationToken.None));

        // Someone subscribes (a new contact) and confirms with the mailed link.
        using (var subscribe = await visitor.PostAsJsonAsync("/subscribe", new { email = "dee@example.com", tags = new[] { "newsletter" } }))
        {
            Assert.Equal(HttpStatusCode.Accepted, subscribe.StatusCode);
        }

        var confirmation = Directory.EnumerateFiles(_outbox, "*.eml").Select(f => MimeKit.MimeMessage.Load(f)).Single(m => m.To.ToString().Contains("dee@example.com", StringComparison.Ordinal));
        var confirmLink = ConfirmLink().Match(confirmation.TextBody ?? "").Value;
        using (var confirmed = await visitor.PostAsync(confirmLink, null))
        {
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        }

        // A scheduled campaign paused twice (one change, one event) and cancelled.
        var later = (await (await manager.PostAsJsonAsync("/bulk-email", new { subject = "Winter", body = "<p>Soon</p>", scheduledAt = DateTimeOffset.UtcNow.AddDays(1) })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        foreach (var command in new[] { "pause", "pause", "cancel" })
        {
            using var applied = await manager.PostAsync($"/bulk-email/{later}/{command}", null);
            Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        }

        // The reply's "sent" and the status change its queuing caused are stored by two writers (the outbox and the
        // request): either may come first, and each is heard in the order it was stored.
        var types = heard.Select(e => e.Type).ToList();
        if (types.Count > 5 && types[4] == "ticket.reply_delivery_changed")
        {
            (types[4], types[5]) = (types[5], types[4]);
        }

        Assert.Equal(
            [
                "contact.created", "ticket.created", "ticket.message_received", "ticket.reply_delivery_changed", "ticket.status_changed", "ticket.reply_delivery_changed", "ticket.status_changed",
                "contact.created", "contact.created", "campaign.launched", "campaign.completed", "contact.unsubscribed", "contact.bounced",
                "contact.created", "contact.subscription_confirmed", "campaign.paused", "campaign.cancelled",
            ],
            types);
        Assert.Equal(heard.Count, heard.Select(e => e.Id).Distinct().Count());
        Assert.All(heard, e => Assert.Matches("^evt_[0-9a-f]{32}$", e.Id));

        var ann = Assert.IsType<ContactCreatedEvent>(heard[0]);
        var created = Assert.IsType<TicketCreatedEvent>(heard[1]);
        Assert.Equal((created.ContactId, "ann@example.com", "chat"), (ann.ContactId, ann.Email, ann.Source));
        Assert.Equal((ticketId, "chat", "Where is my parcel?"), (created.TicketId, created.Channel, created.Text));
        Assert.Equal((ticketId, "Order 1234.", false), (((TicketMessageReceivedEvent)heard[2]).TicketId, ((TicketMessageReceivedEvent)heard[2]).Text, ((TicketMessageReceivedEvent)heard[2]).Reopened));
        Assert.Equal([("bob@example.com", "import"), ("cy@example.com", "import"), ("dee@example.com", "subscribe")], heard.OfType<ContactCreatedEvent>().Skip(1).Select(e => (e.Email, e.Source)));
        var dee = heard.OfType<ContactCreatedEvent>().Last();
        var confirmedEvent = heard.OfType<ContactSubscriptionConfirmedEvent>().Single();
        Assert.Equal(dee.ContactId, confirmedEvent.ContactId);
        Assert.Equal(["newsletter"], confirmedEvent.Tags);
        Assert.Equal(["queued", "sent"], heard.OfType<TicketReplyDeliveryChangedEvent>().Select(e => e.Status));
        Assert.Equal([("open", "pending"), ("pending", "solved")], heard.OfType<TicketStatusChangedEvent>().Select(e => (e.PreviousStatus, e.Status)));
        Assert.Equal((campaignId, 2), (heard.OfType<CampaignLaunchedEvent>().Single().CampaignId, heard.OfType<CampaignLaunchedEvent>().Single().Recipients));
        Assert.Equal((2, 0), (heard.OfType<CampaignCompletedEvent>().Single().Sent, heard.OfType<CampaignCompletedEvent>().Single().Failed));
        Assert.Equal((campaignId, "bob@example.com", "link"), (heard.OfType<ContactUnsubscribedEvent>().Single().CampaignId, heard.OfType<ContactUnsubscribedEvent>().Single().Email, heard.OfType<ContactUnsubscribedEvent>().Single().Source));
        Assert.Equal(("cy@example.com", "550 5.1.1 no such user"), (heard.OfType<ContactBouncedEvent>().Single().Email, heard.OfType<ContactBouncedEvent>().Single().Detail));
        Assert.Equal(later, heard.OfType<CampaignPausedEvent>().Single().CampaignId);
        Assert.StartsWith("Paused by ", heard.OfType<CampaignPausedEvent>().Single().Reason, StringComparison.Ordinal);

        // A handler of one type, registered three times, heard its type once; the failing one changed nothing above.
        Assert.Single(app.Services.GetRequiredService<FirstContacts>().Created);
        Assert.True(app.Services.GetRequiredService<FailingHandler>().Calls >= heard.Count(e => e.Type.StartsWith("ticket.", StringComparison.Ordinal)));

        using var json = JsonDocument.Parse(CrmEventJson.Serialize(created));
        Assert.Equal("ticket.created", json.RootElement.GetProperty("type").GetString());
        Assert.Equal(created.Timestamp, json.RootElement.GetProperty("timestamp").GetDateTimeOffset());
        var data = json.RootElement.GetProperty("data");
        Assert.Equal(ticketId, data.GetProperty("ticketId").GetInt64());
        Assert.Equal("Where is my parcel?", data.GetProperty("text").GetString());
        Assert.Equal(1, data.GetProperty("version").GetInt32());
        Assert.False(data.TryGetProperty("id", out _));
        Assert.False(data.TryGetProperty("type", out _));
    }

    [Fact]
    public void The_catalogue_names_every_event_type_once_and_a_handler_without_an_event_interface_is_refused()
    {
        var eventTypes = typeof(CrmEvent).Assembly.GetExportedTypes().Where(t => t.IsSubclassOf(typeof(CrmEvent)) && !t.IsAbstract).ToList();
        var names = eventTypes.Select(t => ((CrmEvent)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(t)).Type).ToList();
        Assert.Equal(CrmEventTypes.All.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        Assert.All(names, n => Assert.Matches("^[a-z]+\\.[a-z_]+$", n));
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddCrmEventHandler<string>());
    }

    [GeneratedRegex("<(http[^>]+)>")]
    private static partial Regex UnsubscribeLink();

    [GeneratedRegex(@"http://\S+/subscribe/confirm/\S+")]
    private static partial Regex ConfirmLink();

    /// <summary>Every event, in the order heard.</summary>
    public sealed class EveryEvent : ICrmEventHandler<CrmEvent>, IReadOnlyList<CrmEvent>
    {
        private readonly ConcurrentQueue<CrmEvent> _events = new();

        public int Count => _events.Count;

        public CrmEvent this[int index] => _events.ElementAt(index);

        public ValueTask HandleAsync(CrmEvent crmEvent, CancellationToken cancellationToken)
        {
            _events.Enqueue(crmEvent);
            return ValueTask.CompletedTask;
        }

        public IEnumerator<CrmEvent> GetEnumerator() => _events.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Only new tickets.</summary>
    public sealed class FirstContacts : ICrmEventHandler<TicketCreatedEvent>
    {
        public ConcurrentQueue<TicketCreatedEvent> Created { get; } = new();

        public ValueTask HandleAsync(TicketCreatedEvent crmEvent, CancellationToken cancellationToken)
        {
            Created.Enqueue(crmEvent);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Throws on everything it hears.</summary>
    public sealed class FailingHandler : ICrmEventHandler<CrmEvent>
    {
        private int _calls;

        public int Calls => _calls;

        public ValueTask HandleAsync(CrmEvent crmEvent, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            throw new InvalidOperationException("A handler's bug.");
        }
    }
}
