using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Security;
using Crm.Testing;
using Crm.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Crm.EndToEnd.Tests;

/// <summary>
/// Outgoing webhooks against a receiver on loopback (private networks allowed where the test needs it), every
/// delivery verified by the Standard Webhooks reference library (npm <c>standardwebhooks</c>), not by our own code.
/// </summary>
public sealed class WebhookDeliveryTests : IAsyncLifetime
{
    private const string ManagerKey = "manager-key-for-webhook-tests";

    private readonly WebhookReceiver _receiver = new();

    public Task InitializeAsync() => _receiver.StartAsync();

    public Task DisposeAsync() => _receiver.DisposeAsync().AsTask();

    private static WebApplication BuildCrm(string environment, Action<OutgoingWebhookOptions> configure, Action<Microsoft.EntityFrameworkCore.DbContextOptionsBuilder>? database = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddCrmApiKeys(o => o.Keys.Add(new CrmApiKey(ManagerKey, CrmRoles.Manager)));
        builder.Services.AddCrmChannels().AddChat().UseInMemoryStore();
        var webhooks = builder.Services.AddCrmWebhooks(o =>
        {
            o.PollInterval = TimeSpan.FromMilliseconds(50);
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(50);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(200);
            configure(o);
        });
        if (database is null)
        {
            webhooks.UseInMemoryStore();
        }
        else
        {
            builder.Services.AddCrmEntityFrameworkStores(database);
        }

        var app = builder.Build();
        app.MapCrmChannels().Agents.RequireAuthorization(CrmPolicies.Agents);
        app.MapCrmWebhooks().RequireAuthorization(CrmPolicies.Managers);
        return app;
    }

    private static HttpClient ManagerOf(WebApplication app)
    {
        var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        client.DefaultRequestHeaders.Add(CrmApiKeyDefaults.HeaderName, ManagerKey);
        return client;
    }

    private static async Task<long> ChatAsync(HttpClient client, string email, string message)
    {
        using var response = await client.PostAsJsonAsync("/tickets?channel=chat", new { email, message });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task Deliveries_are_signed_verifiably_and_after_an_outage_arrive_in_order_with_their_webhook_ids_kept()
    {
        await using var crm = BuildCrm("Development", o => o.AllowPrivateNetworks = true);
        await crm.StartAsync();
        using var manager = ManagerOf(crm);
        using var created = await manager.PostAsJsonAsync("/webhooks/endpoints", new { url = _receiver.Url("/hooks"), events = new[] { "ticket.created" }, description = "Our CRM" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var endpoint = await created.Content.ReadFromJsonAsync<JsonElement>();
        var secret = endpoint.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, (await manager.GetFromJsonAsync<JsonElement>("/webhooks/endpoints"))[0].GetProperty("secret").ValueKind);

        // The receiver is down for its first three requests; three tickets are opened meanwhile.
        _receiver.FailNext(3);
        var tickets = new List<long>();
        foreach (var (email, text) in new[] { ("a@example.com", "First"), ("b@example.com", "Second"), ("c@example.com", "Third") })
        {
            tickets.Add(await ChatAsync(manager, email, text));
        }

        await Poll.UntilAsync(() => Task.FromResult(_receiver.Succeeded.Count), n => n == 3, TimeSpan.FromSeconds(20), "three deliveries");

        // One endpoint's events in order: the first is retried until it gets through, the others wait behind it.
        var ids = _receiver.Requests.Select(r => r.Headers["webhook-id"]).ToList();
        Assert.Equal(6, ids.Count);
        Assert.Equal([ids[0], ids[0], ids[0], ids[0], ids[4], ids[5]], ids);
        Assert.Equal(tickets, _receiver.Succeeded.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("ticketId").GetInt64()));
        Assert.All(_receiver.Requests, r => Assert.Equal("ticket.created", JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString()));
        Assert.Equal(Enumerable.Repeat("ok", 6), await VerifyAsync([secret], _receiver.Requests));

        // The verifier can fail: a changed body, or another endpoint's secret.
        var genuine = _receiver.Requests[^1];
        Assert.StartsWith("bad", (await VerifyAsync([secret], [genuine with { Body = genuine.Body.Replace("Third", "Fourth", StringComparison.Ordinal) }]))[0], StringComparison.Ordinal);
        Assert.StartsWith("bad", (await VerifyAsync([WebhookSignature.NewSecret()], [genuine]))[0], StringComparison.Ordinal);

        var log = await manager.GetFromJsonAsync<JsonElement>($"/webhooks/endpoints/{endpoint.GetProperty("id").GetInt64()}/deliveries");
        var items = log.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        Assert.All(items, d => Assert.Equal("succeeded", d.GetProperty("status").GetString()));
        Assert.Equal([1, 1, 4], items.Select(d => d.GetProperty("attempts").GetInt32()));
        Assert.Equal(ids[0], items[^1].GetProperty("webhookId").GetString());
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/hooks", "loopback")]
    [InlineData("http://localhost:9/hooks", "loopback")]
    [InlineData("http://10.1.2.3/hooks", "private")]
    [InlineData("http://192.168.0.10/hooks", "private")]
    [InlineData("http://172.20.0.1/hooks", "private")]
    [InlineData("http://169.254.169.254/latest/meta-data", "metadata")]
    [InlineData("http://[::1]/hooks", "loopback")]
    [InlineData("http://[fd00::1]/hooks", "unique local")]
    [InlineData("http://[::ffff:10.0.0.1]/hooks", "private")]
    [InlineData("http://0.0.0.0/hooks", "unspecified")]
    public async Task An_endpoint_on_an_internal_address_is_refused_at_creation(string url, string reason)
    {
        await using var crm = BuildCrm("Development", _ => { });
        await crm.StartAsync();
        using var manager = ManagerOf(crm);
        using var refused = await manager.PostAsJsonAsync("/webhooks/endpoints", new { url, events = new[] { "*" } });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains(reason, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty(await manager.GetFromJsonAsync<JsonElement[]>("/webhooks/endpoints") ?? []);
    }

    [Fact]
    public async Task Outside_development_only_https_is_taken_and_bad_requests_say_what_is_wrong()
    {
        await using var crm = BuildCrm("Production", _ => { });
        await crm.StartAsync();
        using var manager = ManagerOf(crm);
        foreach (var (body, field) in new (object Body, string Field)[]
        {
            (new { url = "http://example.com/hooks", events = new[] { "*" } }, "url"),
            (new { url = "ftp://example.com/hooks", events = new[] { "*" } }, "url"),
            (new { url = "https://user:pass@example.com/hooks", events = new[] { "*" } }, "url"),
            (new { url = "https://example.com/hooks", events = Array.Empty<string>() }, "events"),
            (new { url = "https://example.com/hooks", events = new[] { "ticket.exploded" } }, "events"),
        })
        {
            using var refused = await manager.PostAsJsonAsync("/webhooks/endpoints", body);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.True((await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), $"{JsonSerializer.Serialize(body)} names {field}");
        }

        using var anonymous = new HttpClient { BaseAddress = manager.BaseAddress };
        using var unauthenticated = await anonymous.GetAsync("/webhooks/endpoints");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
    }

    [Fact]
    public async Task A_name_that_resolves_inside_at_delivery_is_refused_then_and_nothing_reaches_it()
    {
        // Created while allowed, delivered while not: the address is checked again at every connection.
        await using var crm = BuildCrm("Development", _ => { });
        var endpoint = await crm.Services.GetRequiredService<IWebhookStore>().CreateEndpointAsync(
            new NewWebhookEndpoint(_receiver.Url("/hooks").Replace("127.0.0.1", "localhost", StringComparison.Ordinal), ["ticket.created"], null, WebhookSignature.NewSecret()), DateTimeOffset.UtcNow, CancellationToken.None);
        await crm.StartAsync();
        using var manager = ManagerOf(crm);
        await ChatAsync(manager, "a@example.com", "Hello");

        var delivery = await Poll.UntilAsync(
            async () => (await manager.GetFromJsonAsync<JsonElement>($"/webhooks/endpoints/{endpoint.Id}/deliveries")).GetProperty("items").EnumerateArray().FirstOrDefault(),
            d => d.ValueKind == JsonValueKind.Object && d.GetProperty("attempts").GetInt32() >= 1,
            TimeSpan.FromSeconds(20),
            "a refused attempt");
        Assert.Equal("pending", delivery.GetProperty("status").GetString());
        Assert.Contains("loopback", delivery.GetProperty("responseExcerpt").GetString(), StringComparison.Ordinal);
        Assert.Empty(_receiver.Requests);
    }

    [Fact]
    public async Task Redirects_are_not_followed_and_big_or_slow_answers_are_cut_off()
    {
        await using var crm = BuildCrm("Development", o =>
        {
            o.AllowPrivateNetworks = true;
            o.Timeout = TimeSpan.FromSeconds(1);
            o.MaxResponseBytes = 256;
        });
        await crm.StartAsync();
        using var manager = ManagerOf(crm);
        var endpoints = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var path in new[] { "/redirect", "/big", "/slow" })
        {
            using var created = await manager.PostAsJsonAsync("/webhooks/endpoints", new { url = _receiver.Url(path), events = new[] { "ticket.created" } });
            endpoints[path] = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        }

        var started = Stopwatch.StartNew();
        await ChatAsync(manager, "a@example.com", "Hello");
        async Task<JsonElement> FirstAttemptAsync(string path) => await Poll.UntilAsync(
            async () => (await manager.GetFromJsonAsync<JsonElement>($"/webhooks/endpoints/{endpoints[path]}/deliveries")).GetProperty("items").EnumerateArray().FirstOrDefault(),
            d => d.ValueKind == JsonValueKind.Object && d.GetProperty("attempts").GetInt32() >= 1,
            TimeSpan.FromSeconds(20),
            $"an attempt at {path}");

        var redirected = await FirstAttemptAsync("/redirect");
        Assert.Equal(302, redirected.GetProperty("responseStatus").GetInt32());
        Assert.Equal("pending", redirected.GetProperty("status").GetString());
        Assert.DoesNotContain(_receiver.Requests, r => r.Path == "/hooks");

        var big = await FirstAttemptAsync("/big");
        Assert.Equal("succeeded", big.GetProperty("status").GetString());
        Assert.Equal(256, big.GetProperty("responseExcerpt").GetString()!.Length);

        var slow = await FirstAttemptAsync("/slow");
        Assert.Null(slow.GetProperty("responseStatus").GetString());
        Assert.Contains("No answer within 1 s", slow.GetProperty("responseExcerpt").GetString(), StringComparison.Ordinal);
        Assert.True(slow.GetProperty("durationMilliseconds").GetInt32() < 5_000, "the slow answer was cut off at the timeout");
    }

    [Fact]
    public async Task An_endpoint_failing_throughout_is_disabled_and_once_re_enabled_a_replay_delivers_with_the_same_webhook_id()
    {
        await using var crm = BuildCrm("Development", o =>
        {
            o.AllowPrivateNetworks = true;
            o.MaxRetryAge = TimeSpan.FromSeconds(1);
        });
        await crm.StartAsync();
        using var manager = ManagerOf(crm);
        using var created = await manager.PostAsJsonAsync("/webhooks/endpoints", new { url = _receiver.Url("/hooks"), events = new[] { "ticket.created" } });
        var endpoint = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = endpoint.GetProperty("id").GetInt64();
        _receiver.FailNext(int.MaxValue);
        await ChatAsync(manager, "a@example.com", "Hello");

        var disabled = await Poll.UntilAsync(
            async () => await manager.GetFromJsonAsync<JsonElement>($"/webhooks/endpoints/{id}"),
            e => !e.GetProperty("enabled").GetBoolean(),
            TimeSpan.FromSeconds(20),
            "the endpoint disabled");
        Assert.Contains("Every delivery failed", disabled.GetProperty("disabledReason").GetString(), StringComparison.Ordinal);
        var failed = (await manager.GetFromJsonAsync<JsonElement>($"/webhooks/endpoints/{id}/deliveries")).GetProperty("items")[0];
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        var attemptsWhileDown = _receiver.Requests.Count;
        Assert.True(attemptsWhileDown >= 2, $"retried before giving up ({attemptsWhileDown} attempts)");

        // Disabled: new events are not queued for it.
        await ChatAsync(manager, "b@example.com", "Anyone?");
        _receiver.FailNext(0);
        using (var enable = await manager.PatchAsJsonAsync($"/webhooks/endpoints/{id}", new { enabled = true }))
        {
            Assert.True((await enable.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("enabled").GetBoolean());
        }

        using (var replay = await manager.PostAsJsonAsync($"/webhooks/endpoints/{id}/replay", new { since = DateTimeOffset.UtcNow.AddHours(-1) }))
        {
            Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
            Assert.Equal(1, (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("queued").GetInt32());
        }

        await Poll.UntilAsync(() => Task.FromResult(_receiver.Succeeded.Count), n => n == 1, TimeSpan.FromSeconds(20), "the replayed delivery");
        Assert.Equal(failed.GetProperty("webhookId").GetString(), _receiver.Succeeded[0].Headers["webhook-id"]);
        Assert.Contains("Hello", _receiver.Succeeded[0].Body, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Repeat("ok", _receiver.Requests.Count), await VerifyAsync([endpoint.GetProperty("secret").GetString()!], _receiver.Requests));
    }

    [Fact]
    public async Task During_a_secret_rotation_deliveries_verify_with_either_secret_and_after_it_with_the_new_one_only()
    {
        await using var crm = BuildCrm("Development", o => o.AllowPrivateNetworks = true);
        await crm.StartAsync();
        using var manager = ManagerOf(crm);
        using var created = await manager.PostAsJsonAsync("/webhooks/endpoints", new { url = _receiver.Url("/hooks"), events = new[] { "ticket.created" } });
        var endpoint = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = endpoint.GetProperty("id").GetInt64();
        var oldSecret = endpoint.GetProperty("secret").GetString()!;

        using var rotated = await manager.PostAsJsonAsync($"/webhooks/endpoints/{id}/rotate-secret", new { overlapSeconds = 3600 });
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var newSecret = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        Assert.NotEqual(oldSecret, newSecret);
        await ChatAsync(manager, "a@example.com", "During the overlap");
        await Poll.UntilAsync(() => Task.FromResult(_receiver.Succeeded.Count), n => n == 1, TimeSpan.FromSeconds(20), "a delivery during the overlap");
        var during = _receiver.Succeeded[0];
        Assert.Equal(2, during.Headers["webhook-signature"].Split(' ').Length);
        Assert.Equal(["ok"], await VerifyAsync([oldSecret], [during]));
        Assert.Equal(["ok"], await VerifyAsync([newSecret], [during]));

        // Rotated again without overlap: only the newest secret signs.
        var newest = (await (await manager.PostAsJsonAsync($"/webhooks/endpoints/{id}/rotate-secret", new { overlapSeconds = 0 })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        await ChatAsync(manager, "b@example.com", "After the overlap");
        await Poll.UntilAsync(() => Task.FromResult(_receiver.Succeeded.Count), n => n == 2, TimeSpan.FromSeconds(20), "a delivery after the overlap");
        var after = _receiver.Succeeded[1];
        Assert.Single(after.Headers["webhook-signature"].Split(' '));
        Assert.Equal(["ok"], await VerifyAsync([newest], [after]));
        Assert.StartsWith("bad", (await VerifyAsync([newSecret], [after]))[0], StringComparison.Ordinal);
        Assert.DoesNotContain(newest, await manager.GetStringAsync($"/webhooks/endpoints/{id}"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Two_hosts_sharing_a_database_deliver_each_event_once_and_in_order(string provider)
    {
        var directory = Directory.CreateTempSubdirectory("crm-webhooks-").FullName;
        var postgres = provider == "postgres" ? await PostgresServer.CreateDatabaseAsync() : null;
        try
        {
            Action<Microsoft.EntityFrameworkCore.DbContextOptionsBuilder> database = postgres is null
                ? o => o.UseCrmSqlite($"Data Source={Path.Combine(directory, "crm.db")};Default Timeout=5;Pooling=False")
                : o => o.UseCrmPostgres(postgres);
            await using var first = BuildCrm("Development", o => o.AllowPrivateNetworks = true, database);
            await using var second = BuildCrm("Development", o => o.AllowPrivateNetworks = true, database);
            await first.Services.MigrateCrmDatabaseAsync();
            await first.StartAsync();
            await second.StartAsync();
            using var one = ManagerOf(first);
            using var two = ManagerOf(second);
            using var created = await one.PostAsJsonAsync("/webhooks/endpoints", new { url = _receiver.Url("/hooks"), events = new[] { "ticket.created" } });
            var secret = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;

            // The receiver fails twice; tickets are opened on both hosts meanwhile, and both hosts deliver.
            _receiver.FailNext(2);
            var tickets = new List<long>();
            for (var i = 0; i < 10; i++)
            {
                tickets.Add(await ChatAsync(i % 2 == 0 ? one : two, $"c{i}@example.com", $"Message {i}"));
            }

            await Poll.UntilAsync(() => Task.FromResult(_receiver.Succeeded.Count), n => n >= 10, TimeSpan.FromSeconds(30), "ten deliveries");
            await Task.Delay(TimeSpan.FromMilliseconds(300)); // a duplicate, if there were one, would arrive now
            var delivered = _receiver.Succeeded;
            Assert.Equal(10, delivered.Count);
            Assert.Equal(10, delivered.Select(r => r.Headers["webhook-id"]).Distinct().Count());
            Assert.Equal(tickets, delivered.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("ticketId").GetInt64()));
            Assert.Equal(Enumerable.Repeat("ok", _receiver.Requests.Count), await VerifyAsync([secret], _receiver.Requests));
        }
        finally
        {
            if (postgres is not null)
            {
                await PostgresServer.DropDatabaseAsync(postgres);
            }

            HostProcess.TryDeleteDirectory(directory);
        }
    }

    /// <summary>Each request's verdict from the Standard Webhooks reference library (Node), in order.</summary>
    internal static async Task<List<string>> VerifyAsync(string[] secrets, IReadOnlyList<WebhookReceiver.Received> requests)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "tests", "webhooks", "verify.cjs"));
        await using var node = OwnedProcess.Start(start);
        var stdout = node.Process.StandardOutput.ReadToEndAsync();
        var stderr = node.Process.StandardError.ReadToEndAsync();
        await node.Process.StandardInput.WriteAsync(JsonSerializer.Serialize(new { secrets, deliveries = requests.Select(r => new { headers = r.Headers, body = r.Body }) }));
        node.Process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await node.Process.WaitForExitAsync(timeout.Token);
        Assert.True(node.Process.ExitCode == 0, await stderr);
        return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
