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
        const int batchSize = 100;
        var database = await PostgresServer.CreateDatabaseAsync();
        var extra = new[] { ("Crm:Campaigns:BatchSize", batchSize.ToString(CultureInfo.InvariantCulture)), ("Crm:Campaigns:ClaimLease", "00:00:03"), ("Crm:Campaigns:MessagesPerSecond", "700") };
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

            Assert.Equal(recipients, distinct);
            Assert.InRange(received.Count - distinct, 0, 2 * batchSize);
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

            var campaign = await api.WaitForAsync(id, c => c.GetProperty("total_opens").GetInt32() >= 102, TimeSpan.FromSeconds(10));
            Assert.Equal(5, campaign.GetProperty("open_count").GetInt32());
            Assert.Equal(102, campaign.GetProperty("total_opens").GetInt32());
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
