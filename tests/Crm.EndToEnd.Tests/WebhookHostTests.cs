using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Crm.Testing;

namespace Crm.EndToEnd.Tests;

/// <summary>
/// Outgoing webhooks through the sample host as it is run (its database, its outbox, its dispatcher): what happens on
/// every channel reaches a receiver, and a host killed in the middle of a delivery loses nothing.
/// </summary>
public sealed partial class WebhookHostTests : IAsyncLifetime
{
    private const string ManagerKey = "manager-key-for-webhook-host-tests";

    private readonly WebhookReceiver _receiver = new();

    public Task InitializeAsync() => _receiver.StartAsync();

    public Task DisposeAsync() => _receiver.DisposeAsync().AsTask();

    private static Dictionary<string, string?> Settings() => new()
    {
        [$"Crm:ApiKeys:{ManagerKey}"] = "Manager",
        ["Crm:WhatsApp:AccountSid"] = TwilioRequests.AccountSid,
        ["Crm:WhatsApp:AuthToken"] = TwilioRequests.AuthToken,
        ["Crm:Campaigns:PollInterval"] = "00:00:00.200",
        ["Crm:Webhooks:AllowPrivateNetworks"] = "true",
        ["Crm:Webhooks:PollInterval"] = "00:00:00.200",
        ["Crm:Webhooks:RetryBaseDelay"] = "00:00:00.200",
        ["Crm:Webhooks:ClaimLease"] = "00:00:03",
    };

    [Fact]
    public async Task A_whatsapp_message_a_delivered_reply_an_unsubscribe_and_a_completed_campaign_reach_the_receiver_and_a_killed_host_loses_nothing()
    {
        // The test's own folder: the killed host must not take the database with it.
        var dataDirectory = Directory.CreateTempSubdirectory("crm-webhook-host-").FullName;
        var host = await HostProcess.StartAsync(Settings(), dataDirectory, environment: "Development");
        WebhookReceiver.Received? inFlight;
        try
        {
            using (var manager = host.CreateClient(ManagerKey))
            using (var visitor = host.CreateClient())
            {
                using var created = await manager.PostAsJsonAsync("/webhooks/endpoints", new { url = _receiver.Url("/hooks"), events = new[] { "*" } });
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                var secret = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;

                // WhatsApp, signed as Twilio signs.
                var whatsApp = new Uri(host.BaseAddress, "/tickets?channel=whatsapp");
                using (var inbound = await visitor.SendAsync(TwilioRequests.Signed(whatsApp, TwilioRequests.InboundMessage("SM" + Guid.NewGuid().ToString("N"), body: "Where is my order?"), whatsApp.ToString())))
                {
                    Assert.Equal(HttpStatusCode.OK, inbound.StatusCode);
                }

                // A chat answered by an agent; the visitor's widget fetches the transcript, so the reply is delivered.
                var chat = await (await visitor.PostAsJsonAsync("/tickets?channel=chat", new { name = "Ann", email = "ann@example.com", message = "Hello?" })).Content.ReadFromJsonAsync<JsonElement>();
                var chatTicket = chat.GetProperty("id").GetInt64();
                using (var reply = await manager.PostAsJsonAsync($"/tickets/{chatTicket}/replies", new { text = "Hello Ann." }))
                {
                    Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
                }

                await Poll.UntilAsync(() => Task.FromResult(Types().Count(t => t == "ticket.reply_delivery_changed")), n => n >= 2, TimeSpan.FromSeconds(30), "the reply sent");
                using (var transcript = new HttpRequestMessage(HttpMethod.Get, $"/chat/conversations/{chat.GetProperty("conversationId").GetString()}/messages"))
                {
                    transcript.Headers.Authorization = new("Bearer", chat.GetProperty("visitorToken").GetString());
                    using var read = await visitor.SendAsync(transcript);
                    Assert.Equal(HttpStatusCode.OK, read.StatusCode);
                }

                // A campaign to one contact, who unsubscribes with the one-click link of the mail they got.
                using (var import = await manager.PostAsJsonAsync("/contacts", new[] { new { email = "bob@example.com" } }))
                {
                    Assert.Equal(HttpStatusCode.OK, import.StatusCode);
                }

                using (var campaign = await manager.PostAsJsonAsync("/bulk-email", new { subject = "Autumn", body = "<p>Hello</p>" }))
                {
                    Assert.Equal(HttpStatusCode.Accepted, campaign.StatusCode);
                }

                await Poll.UntilAsync(() => Task.FromResult(Types()), t => t.Contains("campaign.completed"), TimeSpan.FromSeconds(30), "the campaign's completion");
                var mail = MimeKit.MimeMessage.Load(Directory.EnumerateFiles(Path.Combine(dataDirectory, "outbox"), "*.eml").Single());
                var link = UnsubscribeLink().Match(mail.Headers["List-Unsubscribe"] ?? "").Groups[1].Value;
                using (var oneClick = await visitor.PostAsync(link, new StringContent("List-Unsubscribe=One-Click", System.Text.Encoding.ASCII, "application/x-www-form-urlencoded")))
                {
                    Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
                }

                var received = await Poll.UntilAsync(() => Task.FromResult(_receiver.Succeeded), r => r.Any(e => Type(e) == "contact.unsubscribed"), TimeSpan.FromSeconds(30), "the unsubscribe");
                Assert.Contains(received, r => Type(r) == "ticket.created" && Data(r).GetProperty("channel").GetString() == "whatsapp");
                Assert.Contains(received, r => Type(r) == "ticket.reply_delivery_changed" && Data(r).GetProperty("status").GetString() == "delivered");
                Assert.Contains(received, r => Type(r) == "campaign.launched");
                Assert.Contains(received, r => Type(r) == "campaign.completed" && Data(r).GetProperty("sent").GetInt32() == 1);
                Assert.Equal("bob@example.com", Data(received.Single(r => Type(r) == "contact.unsubscribed")).GetProperty("email").GetString());
                Assert.Equal(Enumerable.Repeat("ok", _receiver.Requests.Count), await WebhookDeliveryTests.VerifyAsync([secret], _receiver.Requests));

                // Now the receiver takes the next delivery and never answers; the host dies in the middle of it.
                var before = _receiver.Requests.Count;
                _receiver.Hang();
                await visitor.PostAsJsonAsync("/tickets?channel=chat", new { name = "Cy", email = "cy@example.com", message = "Before the crash" });
                inFlight = await Poll.UntilAsync(() => Task.FromResult(_receiver.Requests.Skip(before).FirstOrDefault()), r => r is not null, TimeSpan.FromSeconds(30), "the delivery in flight");
            }

            await host.KillAsync();
            await host.DisposeAsync();
            _receiver.Release();
            host = await HostProcess.StartAsync(Settings(), dataDirectory, environment: "Development");

            // The interrupted delivery (Cy's contact.created) arrives once, with its webhook-id, and then what waited behind it.
            await Poll.UntilAsync(
                () => Task.FromResult(_receiver.Succeeded.Where(r => Body(r).Contains("Before the crash", StringComparison.Ordinal)).ToList()),
                r => r.Count >= 1,
                TimeSpan.FromSeconds(30),
                "the deliveries after the restart");
            var interrupted = _receiver.Succeeded.Where(r => r.Headers["webhook-id"] == inFlight!.Headers["webhook-id"]).ToList();
            Assert.Equal("contact.created", Type(Assert.Single(interrupted)));
            Assert.Equal("cy@example.com", Data(interrupted[0]).GetProperty("email").GetString());
        }
        finally
        {
            await host.DisposeAsync();
            HostProcess.TryDeleteDirectory(dataDirectory);
        }
    }

    private List<string> Types() => _receiver.Succeeded.Select(Type).ToList();

    private static string Type(WebhookReceiver.Received received) => JsonDocument.Parse(received.Body).RootElement.GetProperty("type").GetString()!;

    private static JsonElement Data(WebhookReceiver.Received received) => JsonDocument.Parse(received.Body).RootElement.GetProperty("data");

    private static string Body(WebhookReceiver.Received received) => received.Body;

    [GeneratedRegex("<(http[^>]+)>")]
    private static partial Regex UnsubscribeLink();
}
