using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Crm.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Crm.EndToEnd.Tests;

/// <summary>Several real host processes on one PostgreSQL database.</summary>
public sealed partial class ScaleOutTests(ITestOutputHelper output)
{
    private static Dictionary<string, string?> PostgresSettings(string connectionString, int smtpPort, string instance, params (string Key, string Value)[] extra)
    {
        var settings = CampaignApi.HostSettings(smtpPort, extra);
        settings["Crm:Storage:Provider"] = "Postgres";
        settings["ConnectionStrings:Crm"] = connectionString;
        settings["Crm:Smtp:LocalDomain"] = instance;
        settings["Crm:WhatsApp:AccountSid"] = TwilioRequests.AccountSid;
        settings["Crm:WhatsApp:AuthToken"] = TwilioRequests.AuthToken;
        return settings;
    }

    [Fact]
    public async Task Three_instances_share_a_20000_recipient_campaign_and_survive_one_being_killed()
    {
        const int recipients = 20_000;
        var database = await PostgresServer.CreateDatabaseAsync();
        // The default batch size (200) and bound on unrecorded messages (64); a rate limit only so the kill lands mid-campaign,
        // and a lease (default 2 minutes) short enough for the test, yet many times what a batch of 200 takes even on a
        // loaded two-core machine (about a second): a live host's lease never runs out, so the bound below counts the
        // killed host's messages only.
        var extra = new[] { ("Crm:Campaigns:ClaimLease", "00:00:30"), ("Crm:Campaigns:MessagesPerSecond", "700") };
        var hosts = new List<HostProcess>();
        try
        {
            await using var owned = new OwnedResources();
            var sink = await owned.AddAsync(SmtpSink.StartAsync());
            foreach (var instance in new[] { "instance-a", "instance-b", "instance-c" })
            {
                hosts.Add(await owned.AddAsync(HostProcess.StartAsync(PostgresSettings(database, sink.Port, instance, extra))));
            }

            using var manager = hosts[0].CreateClient(CampaignApi.ManagerKey);
            var api = new CampaignApi(manager);
            await api.ImportAsync(Enumerable.Range(0, recipients).Select(i => new { email = $"s{i}@example.com", name = $"S{i}" }));

            var started = Stopwatch.StartNew();
            var id = await api.CreateAsync(new { subject = "Scale out", body = "<p>Hello {{ contact.name }}</p>" });
            await sink.WaitForMessagesAsync(recipients / 4, TimeSpan.FromSeconds(120));
            await hosts[2].KillAsync();
            var campaign = await api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(240));
            var elapsed = started.Elapsed;

            var messages = SinkMessage.LoadAll(sink);
            var received = messages.SelectMany(m => m.EnvelopeRecipients).ToList();
            var distinct = received.Distinct().Count();
            var byInstance = messages.GroupBy(m => m.Message.Headers["X-Helo-Args"]?.Trim() ?? "?").ToDictionary(g => g.Key, g => g.Count());
            output.WriteLine($"{recipients} messages in {elapsed.TotalSeconds:F1} s ({recipients / elapsed.TotalSeconds:F0}/s) with 3 instances, one killed; by instance: {string.Join(", ", byInstance.Select(kv => $"{kv.Key}={kv.Value}"))}; duplicates: {received.Count - distinct}");
            var sentTwiceBy = messages.SelectMany(m => m.EnvelopeRecipients.Select(r => (Recipient: r, Instance: m.Message.Headers["X-Helo-Args"]?.Trim() ?? "?")))
                .GroupBy(x => x.Recipient).Where(g => g.Count() > 1).GroupBy(g => string.Join("+", g.Select(x => x.Instance).Order(StringComparer.Ordinal)))
                .Select(g => $"{g.Key}: {g.Count()}");
            output.WriteLine($"sent twice by: {string.Join(", ", sentTwiceBy)}");

            Assert.Equal(recipients, distinct);
            // The documented bound: what the killed host had accepted by the server but not yet recorded (MaxUnrecordedMessages).
            Assert.InRange(received.Count - distinct, 0, 64);
            Assert.All(new[] { "instance-a", "instance-b", "instance-c" }, instance => Assert.True(byInstance.GetValueOrDefault(instance) > 0, $"{instance} sent nothing: {string.Join(", ", byInstance)}"));
            Assert.Equal(recipients, campaign.GetProperty("recipients").GetInt32());
            Assert.Equal(recipients, campaign.GetProperty("sent").GetInt32());
            Assert.Equal(0, campaign.GetProperty("failed").GetInt32());
            Assert.Equal(recipients, await CountAsync(database, $"SELECT COUNT(*) FROM campaign_recipients WHERE campaign_id = {id} AND state = 'sent'"));
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task Idle_instances_sleep_and_a_campaign_created_on_one_wakes_the_other_at_once_through_notify()
    {
        const int recipients = 3_000;
        var database = await PostgresServer.CreateDatabaseAsync();
        // A five-minute safety poll: only the NOTIFY can bring instance B in within the campaign's few seconds.
        var extra = new[] { ("Crm:Campaigns:PollInterval", "00:05:00"), ("Crm:Campaigns:BatchSize", "50"), ("Crm:Campaigns:MessagesPerSecond", "400") };
        try
        {
            await using var owned = new OwnedResources();
            var sink = await owned.AddAsync(SmtpSink.StartAsync());
            var a = await owned.AddAsync(HostProcess.StartAsync(PostgresSettings(database, sink.Port, "instance-a", extra)));
            var b = await owned.AddAsync(HostProcess.StartAsync(PostgresSettings(database, sink.Port, "instance-b", extra)));
            using var manager = a.CreateClient(CampaignApi.ManagerKey);
            var api = new CampaignApi(manager);
            await api.ImportAsync(Enumerable.Range(0, recipients).Select(i => new { email = $"w{i}@example.com" }));
            // Both idle long enough to be asleep in their safety poll.
            await Task.Delay(TimeSpan.FromSeconds(2));

            var id = await api.CreateAsync(new { subject = "Wake up", body = "<p>Hello</p>" });
            await api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(60));

            var byInstance = SinkMessage.LoadAll(sink).GroupBy(m => m.Message.Headers["X-Helo-Args"]?.Trim() ?? "?").ToDictionary(g => g.Key, g => g.Count());
            output.WriteLine($"by instance: {string.Join(", ", byInstance.Select(kv => $"{kv.Key}={kv.Value}"))}");
            Assert.True(byInstance.GetValueOrDefault("instance-b") > recipients / 4, $"instance B joined late or not at all: {string.Join(", ", byInstance)}");
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task A_reply_posted_on_one_instance_reaches_a_visitor_streaming_from_the_other()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        try
        {
            await using var owned = new OwnedResources();
            var sink = await owned.AddAsync(SmtpSink.StartAsync());
            var a = await owned.AddAsync(HostProcess.StartAsync(PostgresSettings(database, sink.Port, "instance-a")));
            var b = await owned.AddAsync(HostProcess.StartAsync(PostgresSettings(database, sink.Port, "instance-b")));
            using var visitorOnA = a.CreateClient();
            using var visitorOnB = b.CreateClient();
            using var agentOnA = a.CreateClient(CampaignApi.AgentKey);

            using var started = await visitorOnA.PostAsJsonAsync("/tickets?channel=chat", new { name = "Vic", email = "vic@example.com", message = "Anyone there?" });
            var receipt = await started.Content.ReadFromJsonAsync<JsonElement>();
            var conversationId = receipt.GetProperty("conversationId").GetString()!;
            var token = receipt.GetProperty("visitorToken").GetString()!;
            await using var stream = await EventStreamReader.OpenAsync(visitorOnB, $"/chat/conversations/{conversationId}/events", bearer: token);
            Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
            await stream.NextMessageAsync(TimeSpan.FromSeconds(10));

            var clock = Stopwatch.StartNew();
            using var reply = await agentOnA.PostAsJsonAsync($"/tickets/{receipt.GetProperty("id").GetInt64()}/replies", new { text = "Answered on A" });
            Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
            // Whether it arrives, not how fast: the latency is logged, and a loaded machine may take a few poll rounds.
            var (_, data) = await stream.NextMessageAsync(TimeSpan.FromSeconds(20));
            output.WriteLine($"Reply on instance A reached the stream on instance B after {clock.ElapsedMilliseconds} ms");

            Assert.Equal("Answered on A", JsonDocument.Parse(data).RootElement.GetProperty("text").GetString());
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task With_the_database_attachment_store_a_file_sent_to_one_instance_downloads_from_the_other()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        try
        {
            await using var owned = new OwnedResources();
            var sink = await owned.AddAsync(SmtpSink.StartAsync());
            var a = await owned.AddAsync(HostProcess.StartAsync(PostgresSettings(database, sink.Port, "instance-a", ("Crm:Attachments:Store", "Database"))));
            var b = await owned.AddAsync(HostProcess.StartAsync(PostgresSettings(database, sink.Port, "instance-b", ("Crm:Attachments:Store", "Database"))));
            using var visitorOnA = a.CreateClient();
            using var started = await visitorOnA.PostAsJsonAsync("/tickets?channel=chat", new { name = "Fia", email = "fia@example.com", message = "A file follows" });
            var receipt = await started.Content.ReadFromJsonAsync<JsonElement>();
            byte[] pdf = [.. "%PDF-1.7\n"u8.ToArray(), .. System.Security.Cryptography.RandomNumberGenerator.GetBytes((2 * 1024 * 1024) + 77)];
            var file = new ByteArrayContent(pdf);
            file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/pdf");
            using var form = new MultipartFormDataContent
            {
                { new StringContent("fia@example.com"), "email" },
                { new StringContent(receipt.GetProperty("conversationId").GetString()!), "conversationId" },
                { file, "file", "scan.pdf" },
            };
            using var upload = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=chat") { Content = form };
            upload.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", receipt.GetProperty("visitorToken").GetString());
            using var uploaded = await visitorOnA.SendAsync(upload);
            Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);

            using var agentOnB = b.CreateClient(CampaignApi.AgentKey);
            var details = await agentOnB.GetFromJsonAsync<JsonElement>($"/tickets/{receipt.GetProperty("id").GetInt64()}");
            var url = details.GetProperty("messages").EnumerateArray().Last().GetProperty("attachments")[0].GetProperty("url").GetString();
            Assert.Equal(pdf, await agentOnB.GetByteArrayAsync(url));
            Assert.Equal(1, await CountAsync(database, "SELECT count(*) FROM attachment_contents"));
            Assert.Equal(3, await CountAsync(database, "SELECT count(*) FROM attachment_chunks"));
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task A_reply_in_flight_when_its_host_is_killed_is_sent_once_after_the_lease()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        // An SMTP server that accepts the connection and never answers: the reply is in flight for as long as we like.
        using var blackHole = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        blackHole.Start();
        var held = new List<System.Net.Sockets.TcpClient>();
        try
        {
            await using var owned = new OwnedResources();
            var sink = await owned.AddAsync(SmtpSink.StartAsync());
            var stalled = await owned.AddAsync(HostProcess.StartAsync(PostgresSettings(database, ((IPEndPoint)blackHole.LocalEndpoint).Port, "instance-a",
                ("Crm:Email:InboundSecret", "relay-secret-for-scale-out"), ("Crm:Outbox:Lease", "00:00:02"))));
            using var agent = stalled.CreateClient(CampaignApi.AgentKey);
            using var relay = stalled.CreateClient();
            using var mail = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=email")
            {
                Content = new ByteArrayContent(System.Text.Encoding.ASCII.GetBytes($"From: kim@example.com\r\nTo: support@shop.example\r\nSubject: Crash\r\nMessage-ID: <{Guid.NewGuid():N}@example.com>\r\n\r\nHello\r\n")),
            };
            mail.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("message/rfc822");
            mail.Headers.Add("X-Crm-Secret", "relay-secret-for-scale-out");
            using var created = await relay.SendAsync(mail);
            var ticketId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

            using var reply = await agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "Sent exactly once" });
            var replyId = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            using (var accept = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                held.Add(await blackHole.AcceptTcpClientAsync(accept.Token));
            }

            await stalled.KillAsync();
            var survivor = await owned.AddAsync(HostProcess.StartAsync(PostgresSettings(database, sink.Port, "instance-b")));
            using var survivorAgent = survivor.CreateClient(CampaignApi.AgentKey);
            await TicketApi.WaitForDeliveryAsync(survivorAgent, ticketId, replyId, "sent", TimeSpan.FromSeconds(30));

            var copies = SinkMessage.LoadAll(sink).Count(m => m.Message.TextBody?.Contains("Sent exactly once", StringComparison.Ordinal) == true);
            Assert.Equal(1, copies);
        }
        finally
        {
            held.ForEach(c => c.Dispose());
            await PostgresServer.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task The_same_webhook_delivered_to_two_instances_at_once_is_stored_once()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        try
        {
            await using var hosts = new OwnedResources();
            var a = await hosts.AddAsync(HostProcess.StartAsync(PostgresSettings(database, 25, "instance-a")));
            var b = await hosts.AddAsync(HostProcess.StartAsync(PostgresSettings(database, 25, "instance-b")));
            using var clientA = a.CreateClient();
            using var clientB = b.CreateClient();
            var parameters = TwilioRequests.InboundMessage("SMraced" + Guid.NewGuid().ToString("N"), from: "+447700900999");

            var deliveries = Enumerable.Range(0, 20).Select(async i =>
            {
                var (host, client) = i % 2 == 0 ? (a, clientA) : (b, clientB);
                var target = new Uri(host.BaseAddress, "/tickets?channel=whatsapp");
                using var response = await client.SendAsync(TwilioRequests.Signed(target, parameters, target.ToString()));
                return response.StatusCode;
            });

            Assert.All(await Task.WhenAll(deliveries), status => Assert.Equal(HttpStatusCode.OK, status));
            Assert.Equal(1, await CountAsync(database, $"SELECT COUNT(*) FROM ticket_messages WHERE external_message_id = '{parameters["MessageSid"]}'"));
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task Pixel_hits_served_by_two_instances_are_counted_exactly()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        try
        {
            await using var owned = new OwnedResources();
            var sink = await owned.AddAsync(SmtpSink.StartAsync());
            var a = await owned.AddAsync(HostProcess.StartAsync(PostgresSettings(database, sink.Port, "instance-a")));
            var b = await owned.AddAsync(HostProcess.StartAsync(PostgresSettings(database, sink.Port, "instance-b")));
            using var manager = a.CreateClient(CampaignApi.ManagerKey);
            var api = new CampaignApi(manager);
            await api.ImportAsync(Enumerable.Range(0, 5).Select(i => new { email = $"px{i}@example.com" }));
            var id = await api.CreateAsync(new { subject = "Pixels", body = "<p>Hi</p>" });
            await api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(60));
            var pixels = SinkMessage.LoadAll(sink).Select(m => PixelPath().Match(m.Message.HtmlBody ?? "").Groups[1].Value).ToList();
            using var clientA = a.CreateClient();
            using var clientB = b.CreateClient();

            await Parallel.ForEachAsync(Enumerable.Range(0, 100), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            {
                using var hit = await (i % 2 == 0 ? clientA : clientB).GetAsync(pixels[i % pixels.Count], ct);
                Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
            });

            // One more hit on each instance after all 100 answered: each writes its hits in order, so when both are
            // counted every earlier hit is, and an over-count would show as more than 102.
            foreach (var client in new[] { clientA, clientB })
            {
                using var sentinel = await client.GetAsync(pixels[0]);
                Assert.Equal(HttpStatusCode.OK, sentinel.StatusCode);
            }

            var campaign = await api.WaitForAsync(id, c => c.GetProperty("totalOpens").GetInt32() >= 102, TimeSpan.FromSeconds(10));
            Assert.Equal(5, campaign.GetProperty("openCount").GetInt32());
            Assert.Equal(102, campaign.GetProperty("totalOpens").GetInt32());
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task One_pause_sent_to_one_instance_stops_both()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        try
        {
            await using var owned = new OwnedResources();
            var sink = await owned.AddAsync(SmtpSink.StartAsync());
            var paced = new[] { ("Crm:Campaigns:MessagesPerSecond", "50"), ("Crm:Campaigns:BatchSize", "10") };
            var a = await owned.AddAsync(HostProcess.StartAsync(PostgresSettings(database, sink.Port, "instance-a", paced)));
            var b = await owned.AddAsync(HostProcess.StartAsync(PostgresSettings(database, sink.Port, "instance-b", paced)));
            using var manager = a.CreateClient(CampaignApi.ManagerKey);
            var api = new CampaignApi(manager);
            await api.ImportAsync(Enumerable.Range(0, 300).Select(i => new { email = $"pause{i}@example.com" }));
            var id = await api.CreateAsync(new { subject = "Paused", body = "<p>Hi</p>" });
            await api.WaitForAsync(id, c => c.GetProperty("sent").GetInt32() >= 20, TimeSpan.FromSeconds(60));

            using var managerB = b.CreateClient(CampaignApi.ManagerKey);
            using (var pause = await managerB.PostAsync($"/bulk-email/{id}/pause", null))
            {
                Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
            }

            var held = await api.WaitUntilHeldAsync(id, "paused", TimeSpan.FromSeconds(30));
            var sentByInstance = SinkMessage.LoadAll(sink).GroupBy(m => m.Message.Headers["X-Helo-Args"]?.Trim() ?? "?").ToDictionary(g => g.Key, g => g.Count());
            Assert.True(held.GetProperty("sent").GetInt32() < 300);
            Assert.Equal(held.GetProperty("sent").GetInt32(), sentByInstance.Values.Sum());
            Assert.Equal(0, await CountAsync(database, $"SELECT COUNT(*) FROM campaign_recipients WHERE campaign_id = {id} AND state = 'sending'"));
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(database);
        }
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("\"http://[^/]+(/bulk-email/open/[^\"]+)\"")]
    private static partial Regex PixelPath();
}
