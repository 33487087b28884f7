using System.Net;
using Crm.Testing;
using Xunit.Abstractions;

namespace Crm.EndToEnd.Tests;

/// <summary>Campaigns through failures: an SMTP outage, refused recipients, and the host killed with SIGKILL.</summary>
public sealed class CampaignResilienceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_smtp_outage_mid_campaign_delays_it_and_nothing_goes_missing()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var host = await HostProcess.StartAsync(CampaignApi.HostSettings(sink.Port,
            ("Crm:Campaigns:MessagesPerSecond", "100"), ("Crm:Campaigns:BatchSize", "20"),
            ("Crm:Campaigns:RetryBaseDelay", "00:00:00.200"), ("Crm:Campaigns:MaxAttempts", "50"), ("Crm:Campaigns:MaxConsecutiveFailures", "100000")));
        using var manager = host.CreateClient(CampaignApi.ManagerKey);
        var api = new CampaignApi(manager);
        await api.ImportAsync(Enumerable.Range(0, 300).Select(i => new { email = $"o{i}@example.com" }));

        var id = await api.CreateAsync(new { subject = "Outage", body = "<p>Still arrives</p>" });
        await sink.WaitForMessagesAsync(50, TimeSpan.FromSeconds(30));
        await sink.StopAsync();
        // The outage lasts until the dispatcher has run into it (deferred messages), then the server returns.
        await host.WaitForOutputAsync("deferred", TimeSpan.FromSeconds(30));

        Assert.Contains("deferred", host.Output, StringComparison.Ordinal);
        await sink.StartAsync();

        var campaign = await api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(90));
        Assert.Equal(300, campaign.GetProperty("sent").GetInt32());
        Assert.Equal(0, campaign.GetProperty("failed").GetInt32());
        var perRecipient = SinkMessage.LoadAll(sink).SelectMany(m => m.EnvelopeRecipients).GroupBy(r => r).ToList();
        Assert.Equal(300, perRecipient.Count);
        // A message cut off by the outage was never accepted; the retry sends it once.
        Assert.All(perRecipient, g => Assert.Single(g));
    }

    [Fact]
    public async Task An_idle_dispatcher_with_a_five_minute_safety_poll_starts_a_scheduled_campaign_on_time_and_a_new_one_at_once()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var host = await HostProcess.StartAsync(CampaignApi.HostSettings(sink.Port, ("Crm:Campaigns:PollInterval", "00:05:00")));
        using var manager = host.CreateClient(CampaignApi.ManagerKey);
        var api = new CampaignApi(manager);
        await api.ImportAsync([new { email = "early@example.com" }]);

        var at = DateTimeOffset.UtcNow.AddSeconds(4);
        var scheduled = await api.CreateAsync(new { subject = "On time", body = "<p>Hi</p>", scheduledAt = at });
        var now = await api.CreateAsync(new { subject = "Right now", body = "<p>Hi</p>" });

        // Bounds far below the five-minute poll a missed wake-up would wait for, and far above what a loaded two-core
        // machine needs: the test tells "woken" from "polled", not how fast a machine is.
        var first = await api.WaitForStatusAsync(now, "completed", TimeSpan.FromSeconds(60));
        Assert.True(first.GetProperty("launchedAt").GetDateTimeOffset() < at, "the new campaign waited for the scheduled one's time");
        var done = await api.WaitForStatusAsync(scheduled, "completed", TimeSpan.FromSeconds(90));
        var launchedAt = done.GetProperty("launchedAt").GetDateTimeOffset();
        Assert.InRange(launchedAt, at, at.AddSeconds(60));
    }

    [Fact]
    public async Task A_domain_answering_4xx_is_deferred_as_a_whole_while_the_rest_of_the_campaign_flows_then_gets_its_mail()
    {
        var throttling = true;
        await using var smtp = new ScriptedSmtpServer(address =>
            Volatile.Read(ref throttling) && address.EndsWith("@busy.example", StringComparison.Ordinal) ? "451 4.7.28 Our system has detected an unusual rate of mail; try again later" : null);
        await using var host = await HostProcess.StartAsync(CampaignApi.HostSettings(smtp.Port, ("Crm:Campaigns:RetryBaseDelay", "00:00:01"), ("Crm:Campaigns:BatchSize", "20")));
        using var manager = host.CreateClient(CampaignApi.ManagerKey);
        var api = new CampaignApi(manager);
        await api.ImportAsync(Enumerable.Range(0, 100).Select(i => new { email = i % 3 == 0 ? $"b{i}@busy.example" : $"o{i}@other{i % 7}.example" }));
        var busy = Enumerable.Range(0, 100).Count(i => i % 3 == 0);

        var id = await api.CreateAsync(new { subject = "Throttled", body = "<p>Hi</p>" });

        // Everyone else is served while busy.example rests.
        await Poll.UntilAsync(() => Task.FromResult(smtp.Accepted.Count), n => n >= 100 - busy, TimeSpan.FromSeconds(30), "every other domain's mail");
        Assert.DoesNotContain(smtp.Accepted, r => r.EndsWith("@busy.example", StringComparison.Ordinal));
        // Deferred as a domain: a handful of tries, not one per recipient and attempt.
        Assert.InRange(smtp.Refused.Count, 1, 12);

        Volatile.Write(ref throttling, false);
        var campaign = await api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(60));
        Assert.Equal(100, campaign.GetProperty("sent").GetInt32());
        Assert.Equal(0, campaign.GetProperty("failed").GetInt32());
        Assert.Equal(100, smtp.Accepted.Distinct().Count());
    }

    [Fact]
    public async Task A_domain_rate_limit_paces_that_domain_only()
    {
        await using var smtp = new ScriptedSmtpServer(_ => (string?)null);
        await using var host = await HostProcess.StartAsync(CampaignApi.HostSettings(smtp.Port,
            ("Crm:Campaigns:Domains:slow.example:MessagesPerSecond", "5"), ("Crm:Campaigns:Domains:slow.example:MaxConcurrency", "1")));
        using var manager = host.CreateClient(CampaignApi.ManagerKey);
        var api = new CampaignApi(manager);
        await api.ImportAsync(Enumerable.Range(0, 220).Select(i => new { email = i < 20 ? $"s{i}@slow.example" : $"f{i}@fast{i % 5}.example" }));

        var id = await api.CreateAsync(new { subject = "Paced", body = "<p>Hi</p>" });
        await api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(60));

        var slow = smtp.AcceptedAt.Where(a => a.Recipient.EndsWith("@slow.example", StringComparison.Ordinal)).Select(a => a.At).Order().ToList();
        var fast = smtp.AcceptedAt.Where(a => !a.Recipient.EndsWith("@slow.example", StringComparison.Ordinal)).Select(a => a.At).Order().ToList();
        Assert.Equal(20, slow.Count);
        Assert.Equal(200, fast.Count);
        // 20 messages at 5 per second take about 4 seconds; the other 200 were not held up by them.
        Assert.InRange((slow[^1] - slow[0]).TotalSeconds, 3.4, 30);
        Assert.True(fast[^1] < slow[^1], "the fast domains finished after the paced one");
    }

    [Fact]
    public async Task A_recipient_refused_with_5xx_is_marked_failed_while_the_rest_go_out()
    {
        await using var smtp = new ScriptedSmtpServer(address => address.StartsWith("gone", StringComparison.Ordinal));
        await using var host = await HostProcess.StartAsync(CampaignApi.HostSettings(smtp.Port));
        using var manager = host.CreateClient(CampaignApi.ManagerKey);
        var api = new CampaignApi(manager);
        await api.ImportAsync([
            new { email = "gone@example.com" }, new { email = "ok1@example.com" }, new { email = "ok2@example.com" }, new { email = "gone2@example.com" }, new { email = "ok3@example.com" },
        ]);

        var id = await api.CreateAsync(new { subject = "Some bounce", body = "<p>Hi</p>" });
        var campaign = await api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(30));

        Assert.Equal(3, campaign.GetProperty("sent").GetInt32());
        Assert.Equal(2, campaign.GetProperty("failed").GetInt32());
        Assert.Equal(["ok1@example.com", "ok2@example.com", "ok3@example.com"], smtp.Accepted.Order());
    }

    [Fact]
    public async Task A_server_refusing_everyone_pauses_the_campaign_with_the_reason()
    {
        await using var smtp = new ScriptedSmtpServer(_ => true);
        await using var host = await HostProcess.StartAsync(CampaignApi.HostSettings(smtp.Port, ("Crm:Campaigns:MaxConsecutiveFailures", "5"), ("Crm:Campaigns:BatchSize", "5")));
        using var manager = host.CreateClient(CampaignApi.ManagerKey);
        var api = new CampaignApi(manager);
        await api.ImportAsync(Enumerable.Range(0, 40).Select(i => new { email = $"x{i}@example.com" }));

        var id = await api.CreateAsync(new { subject = "Doomed", body = "<p>Hi</p>" });
        var campaign = await api.WaitForStatusAsync(id, "paused", TimeSpan.FromSeconds(30));

        Assert.Contains("550", campaign.GetProperty("pauseReason").GetString(), StringComparison.Ordinal);
        Assert.True(campaign.GetProperty("failed").GetInt32() < 40);
    }

    [Fact]
    public async Task After_kill_minus_9_mid_campaign_a_restart_finishes_it_and_at_most_the_unrecorded_messages_are_sent_twice()
    {
        const int recipients = 3000;
        await using var sink = await SmtpSink.StartAsync();
        var dataDirectory = Directory.CreateTempSubdirectory("crm-kill-").FullName;
        try
        {
            var duplicates = await KillAndRestartAsync(sink, dataDirectory, recipients);
            output.WriteLine($"SQLite, one host killed with kill -9 mid-campaign at the default batch size: {duplicates} duplicates of {recipients}");
        }
        finally
        {
            HostProcess.TryDeleteDirectory(dataDirectory);
        }
    }

    /// <summary>Kills the host mid-campaign, restarts it and answers how many messages were sent twice.</summary>
    private static async Task<int> KillAndRestartAsync(SmtpSink sink, string dataDirectory, int recipients)
    {
        // The default batch size (200) and the default bound on unrecorded messages (64); a rate limit only so the kill lands
        // mid-campaign; a lease short enough for the restart to take the killed host's rows soon, yet far longer than a
        // batch takes on a loaded machine, so the live host never loses its own lease and the bound counts the kill only.
        var settings = CampaignApi.HostSettings(sink.Port, ("Crm:Campaigns:MessagesPerSecond", "600"), ("Crm:Campaigns:ClaimLease", "00:00:15"));
        long id;
        await using (var first = await HostProcess.StartAsync(settings, dataDirectory))
        {
            using var manager = first.CreateClient(CampaignApi.ManagerKey);
            var api = new CampaignApi(manager);
            await api.ImportAsync(Enumerable.Range(0, recipients).Select(i => new { email = $"k{i}@example.com" }));
            id = await api.CreateAsync(new { subject = "Crash test", body = "<p>Hi</p>" });
            await sink.WaitForMessagesAsync(800, TimeSpan.FromSeconds(60));
            await first.KillAsync();
        }

        var atKill = sink.MessageFiles().Count;
        Assert.True(atKill < recipients, "the campaign finished before the kill; slow it down");

        await using var second = await HostProcess.StartAsync(settings, dataDirectory);
        using var restartedManager = second.CreateClient(CampaignApi.ManagerKey);
        var campaign = await new CampaignApi(restartedManager).WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(120));

        var received = SinkMessage.LoadAll(sink).SelectMany(m => m.EnvelopeRecipients).ToList();
        var distinct = received.Distinct().Count();
        Assert.Equal(recipients, distinct);
        Assert.Equal(recipients, campaign.GetProperty("sent").GetInt32());
        // The documented bound: what one host had accepted by the server but not yet recorded (MaxUnrecordedMessages).
        Assert.InRange(received.Count - distinct, 0, 64);
        return received.Count - distinct;
    }
}
