using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Testing;
using Microsoft.Data.Sqlite;

namespace Crm.EndToEnd.Tests;

/// <summary>The SQLite store locked by another process: requests answer 503 quickly and the health check says so.</summary>
public sealed class StoreAvailabilityTests
{
    private const string AgentKey = "agent-key-for-store-tests";

    [Fact]
    public async Task A_store_locked_past_the_busy_timeout_answers_503_with_retry_after_and_health_turns_unhealthy_then_recovers()
    {
        await using var host = await HostProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Crm:Storage:BusyTimeout"] = "00:00:01",
            [$"Crm:ApiKeys:{AgentKey}"] = "Agent",
        });
        using var visitor = host.CreateClient();
        using var agent = host.CreateClient(AgentKey);
        var email = $"locked-{Guid.NewGuid():N}@example.com";

        await using (var locker = new SqliteConnection($"Data Source={Path.Combine(host.DataDirectory, "crm.db")}"))
        {
            await locker.OpenAsync();
            // BEGIN IMMEDIATE: this process holds the write lock, as a long backup or a stuck writer would.
            await using var transaction = locker.BeginTransaction();

            var watch = Stopwatch.StartNew();
            using var refused = await visitor.PostAsJsonAsync("/tickets?channel=chat", new { name = "Ann", email, message = "while locked" });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"the 503 took {watch.Elapsed}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
            Assert.DoesNotContain("Sqlite", await refused.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

            using var unhealthy = await visitor.GetAsync("/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.StatusCode);
            var report = await unhealthy.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("Unhealthy", report.GetProperty("status").GetString());
            Assert.Equal("Unhealthy", report.GetProperty("checks").GetProperty("crm-store").GetString());
            Assert.DoesNotContain("Sqlite", report.GetRawText(), StringComparison.OrdinalIgnoreCase);

            // Readiness follows the store; liveness does not (a locked database is a reason to wait, not to restart).
            using var notReady = await visitor.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            using var live = await visitor.GetAsync("/health/live");
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            var liveness = (await live.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks");
            Assert.True(liveness.TryGetProperty("crm-dispatcher", out _));
            Assert.True(liveness.TryGetProperty("crm-reply-outbox", out _));
            Assert.False(liveness.TryGetProperty("crm-store", out _));

            transaction.Rollback();
        }

        using var healthy = await visitor.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        using var ready = await visitor.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("crm-smtp").GetString());
        using var accepted = await visitor.PostAsJsonAsync("/tickets?channel=chat", new { name = "Ann", email, message = "after the lock" });
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        var ticket = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        var details = await agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticket.GetProperty("id").GetInt64()}");
        Assert.Equal(["after the lock"], details.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task An_open_queued_during_a_long_store_outage_is_recorded_when_the_store_returns_and_the_host_keeps_running()
    {
        const string ManagerKey = "manager-key-for-store-tests";
        await using var host = await HostProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Crm:Storage:BusyTimeout"] = "00:00:01",
            [$"Crm:ApiKeys:{ManagerKey}"] = "Manager",
            ["Crm:Campaigns:FromAddress"] = "news@shop.example",
            ["Crm:Campaigns:PollInterval"] = "00:00:00.100",
            ["Crm:Campaigns:MachineOpenWindow"] = "00:00:00",
            ["Crm:Tracking:SigningKey"] = "test-signing-key-that-is-long-enough",
        });
        using var manager = host.CreateClient(ManagerKey);
        using var reader = host.CreateClient();
        var api = new CampaignApi(manager);
        await api.ImportAsync([new { email = "outage-open@example.com", name = "Olga" }]);
        var id = await api.CreateAsync(new { subject = "Hello", body = "<html><body><p>Hi</p></body></html>" });
        await api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(30));
        var mail = MimeKit.MimeMessage.Load(Directory.GetFiles(Path.Combine(host.DataDirectory, "outbox"), "*.eml").Single());
        var pixel = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(mail.HtmlBody ?? "", "\"(http://[^\"]+/bulk-email/open/[^\"]+)\"").Groups[1].Value);

        await using (var locker = new SqliteConnection($"Data Source={Path.Combine(host.DataDirectory, "crm.db")}"))
        {
            await locker.OpenAsync();
            await using var transaction = locker.BeginTransaction();
            using (var hit = await reader.GetAsync(pixel))
            {
                Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
            }

            // The recorder used to give up at its tenth attempt and take the host down with it.
            await host.WaitForOutputAsync(output => output.Contains("(attempt 10)", StringComparison.Ordinal) || host.HasExited, TimeSpan.FromSeconds(90));
            Assert.False(host.HasExited, host.Output);
            Assert.Contains("(attempt 10)", host.Output, StringComparison.Ordinal);
            transaction.Rollback();
        }

        var opened = await api.WaitForAsync(id, c => c.GetProperty("totalOpens").GetInt32() >= 1, TimeSpan.FromSeconds(30));
        Assert.Equal(1, opened.GetProperty("openCount").GetInt32());
        using (var again = await reader.GetAsync(pixel))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        await api.WaitForAsync(id, c => c.GetProperty("totalOpens").GetInt32() == 2, TimeSpan.FromSeconds(30));
        Assert.False(host.HasExited);
    }

    [Fact]
    public async Task With_everything_logged_at_information_the_stores_log_no_sql()
    {
        await using var host = await HostProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Information",
        });
        using var visitor = host.CreateClient();

        using var chat = await visitor.PostAsJsonAsync("/tickets?channel=chat", new { name = "Ann", email = "sql@example.com", message = "quiet please" });

        Assert.Equal(HttpStatusCode.Created, chat.StatusCode);
        await host.WaitForOutputAsync("Ingested a chat message", TimeSpan.FromSeconds(10));

        Assert.Contains("Ingested a chat message", host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Executed DbCommand", host.Output, StringComparison.Ordinal);
    }
}
