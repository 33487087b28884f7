using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Crm.Storage.EfCore;
using Microsoft.EntityFrameworkCore;
using Crm.Testing;
using System.Text.RegularExpressions;
using System.Text.Json;
using System.Net.Http.Json;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Configuration;
using Crm.Security;

namespace Crm.EndToEnd.Tests;

/// <summary>The packages wired by an integrator's own minimal app, in process.</summary>
public sealed class LibraryWiringTests
{
    /// <summary>A slim builder on a free loopback port, without log output.</summary>
    private static WebApplicationBuilder LoopbackBuilder()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        return builder;
    }

    private const string AgentKey = "agent-key-for-wiring-tests";
    private const string ManagerKey = "manager-key-for-wiring-tests";

    /// <summary>The app with both features on in-memory stores; <paramref name="security"/> registers its authentication (API keys by default).</summary>
    private static WebApplication BuildApp(string? pickupDirectory = null, Action<IServiceCollection>? security = null)
    {
        var builder = LoopbackBuilder();
        (security ?? (services => services.AddCrmApiKeys(o =>
        {
            o.Keys.Add(new CrmApiKey(AgentKey, CrmRoles.Agent, Agent: "Ada"));
            o.Keys.Add(new CrmApiKey(ManagerKey, "manager"));
        })))(builder.Services);
        builder.Services.AddCrmChannels().AddChat().UseInMemoryStore();
        builder.Services.AddBulkEmail(o => o.FromAddress = "news@shop.example")
            .ConfigureDispatcher(o => o.PollInterval = TimeSpan.FromMilliseconds(50))
            .ConfigureTracking(o => o.MachineOpenWindow = TimeSpan.Zero)
            .UsePickupDirectory(o => o.Directory = pickupDirectory ?? Path.Combine(Path.GetTempPath(), "crm-wiring-" + Guid.NewGuid().ToString("N")))
            .UseInMemoryStores();
        return builder.Build();
    }

    [Fact]
    public async Task Mapping_the_agents_and_managers_endpoints_without_an_authorization_decision_stops_the_app_with_the_fix()
    {
        await using var app = BuildApp();
        app.MapCrmChannels();
        app.MapBulkEmail();

        var failures = new List<string>();
        try
        {
            await app.StartAsync();
        }
        catch (InvalidOperationException ex)
        {
            failures.Add(ex.Message);
        }

        var failure = Assert.Single(failures);
        Assert.Contains("GET /tickets", failure, StringComparison.Ordinal);
        Assert.Contains("MapCrmChannels().Agents.RequireAuthorization", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("POST /tickets ", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Campaign_and_contact_endpoints_need_a_decision_too_while_tracking_stays_public()
    {
        await using var app = BuildApp();
        app.MapCrmChannels().Agents.RequireAuthorization();
        app.MapBulkEmail();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("MapBulkEmail().Campaigns.RequireAuthorization", failure.Message, StringComparison.Ordinal);
        Assert.Contains("MapBulkEmail().ContactsRead.RequireAuthorization", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("/open/", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("/unsubscribe/", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_explicit_decision_either_way_lets_the_app_start()
    {
        await using var app = BuildApp();
        app.MapCrmChannels().Agents.RequireAuthorization();
        var bulkEmail = app.MapBulkEmail();
        bulkEmail.Campaigns.RequireAuthorization();
        bulkEmail.ContactsWrite.RequireAuthorization();
        bulkEmail.ContactsRead.AllowAnonymous();

        await app.StartAsync();
        await app.StopAsync();
    }

    [Fact]
    public async Task Authorization_without_any_authentication_as_the_old_quickstart_had_stops_the_app_at_start_naming_AddCrmApiKeys()
    {
        await using var app = BuildApp(security: services => services.AddAuthorization());
        MapAllRequiringAuthorization(app, policy: null);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("authenticates nobody", failure.Message, StringComparison.Ordinal);
        Assert.Contains("AddCrmApiKeys(", failure.Message, StringComparison.Ordinal);
        Assert.Contains("GET /tickets", failure.Message, StringComparison.Ordinal);
        Assert.Contains("/bulk-email", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authentication_without_AddAuthorization_stops_the_app_at_start_naming_it()
    {
        await using var app = BuildApp(security: services => services.AddAuthentication("Cookies").AddCookie());
        MapAllRequiringAuthorization(app, policy: null);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("no authorization services", failure.Message, StringComparison.Ordinal);
        Assert.Contains("AddAuthorization()", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_policy_nobody_added_or_a_scheme_that_is_not_the_default_stops_the_app_at_start()
    {
        await using (var app = BuildApp())
        {
            MapAllRequiringAuthorization(app, policy: "Support");
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
            Assert.Contains("policies nobody added: 'Support'", failure.Message, StringComparison.Ordinal);
        }

        // Two schemes and neither named the default (one alone would be the default by itself).
        await using (var app = BuildApp(security: services => services.AddAuthorization().AddAuthentication().AddCrmApiKeys(o => o.Keys.Add(new CrmApiKey(AgentKey, CrmRoles.Agent))).AddCookie()))
        {
            MapAllRequiringAuthorization(app, policy: null);
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
            Assert.Contains("no authentication scheme is the default", failure.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_api_key_naming_an_unknown_role_stops_the_app_at_start()
    {
        await using var app = BuildApp(security: services => services.AddCrmApiKeys(o => o.Keys.Add(new CrmApiKey("key-with-a-typo-role", "Admn"))));
        MapAllRequiringAuthorization(app, CrmPolicies.Agents);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("'Admn'; it must be one of Agent, Manager, Marketing", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_AddCrmApiKeys_the_agents_and_managers_endpoints_answer_by_key_and_role_and_refuse_with_problem_details()
    {
        await using var app = BuildApp();
        var channels = app.MapCrmChannels();
        channels.Agents.RequireAuthorization(CrmPolicies.Agents);
        var bulkEmail = app.MapBulkEmail();
        bulkEmail.Campaigns.RequireAuthorization(CrmPolicies.Marketing);
        bulkEmail.ContactsRead.RequireAuthorization(CrmPolicies.Agents);
        bulkEmail.ContactsWrite.RequireAuthorization(CrmPolicies.Marketing);
        using var client = await StartOnLoopbackAsync(app);

        async Task<HttpStatusCode> GetAsync(string path, string? key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (key is not null)
            {
                request.Headers.Add(CrmApiKeyDefaults.HeaderName, key);
            }

            using var response = await client.SendAsync(request);
            if (!response.IsSuccessStatusCode)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }

            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/tickets", null));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/tickets", AgentKey + "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/tickets", AgentKey[..^1]));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("/tickets", AgentKey));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("/contacts", AgentKey));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/bulk-email", AgentKey));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("/bulk-email", ManagerKey));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("/tickets", ManagerKey));
    }

    [Fact]
    public async Task An_api_key_from_configuration_acts_as_its_named_agent_and_keys_follow_a_configuration_reload()
    {
        var settings = new ConfigurationManager();
        settings["Crm:ApiKeys:key-of-ada-from-config:Role"] = "Agent";
        settings["Crm:ApiKeys:key-of-ada-from-config:Agent"] = "Ada Lovelace";
        settings["Crm:ApiKeys:plain-key-from-config"] = "Agent";
        await using var app = BuildApp(security: services => services.AddCrmApiKeys(settings.GetSection("Crm:ApiKeys")));
        app.MapGet("/whoami", (System.Security.Claims.ClaimsPrincipal user) => user.Identity!.Name).RequireAuthorization(CrmPolicies.Agents);
        app.MapCrmChannels().Agents.RequireAuthorization(CrmPolicies.Agents);
        using var client = await StartOnLoopbackAsync(app);

        async Task<(HttpStatusCode Status, string Body)> WhoAmIAsync(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
            request.Headers.Add(CrmApiKeyDefaults.HeaderName, key);
            using var response = await client.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        Assert.Equal((HttpStatusCode.OK, "Ada Lovelace"), await WhoAmIAsync("key-of-ada-from-config"));
        Assert.Equal((HttpStatusCode.OK, "api-key:Agent"), await WhoAmIAsync("plain-key-from-config"));

        // A rotated key: the old one stops working and the new one works without a restart.
        settings["Crm:ApiKeys:plain-key-from-config"] = null;
        settings["Crm:ApiKeys:rotated-key-from-config"] = "Agent";
        ((IConfigurationRoot)settings).Reload();
        Assert.Equal(HttpStatusCode.Unauthorized, (await WhoAmIAsync("plain-key-from-config")).Status);
        Assert.Equal(HttpStatusCode.OK, (await WhoAmIAsync("rotated-key-from-config")).Status);
    }

    /// <summary>Maps both features with every customer-data group requiring <paramref name="policy"/> (the default policy when null).</summary>
    private static void MapAllRequiringAuthorization(WebApplication app, string? policy)
    {
        var channels = app.MapCrmChannels();
        var bulkEmail = app.MapBulkEmail();
        foreach (var group in new IEndpointConventionBuilder[] { channels.Agents, bulkEmail.Campaigns, bulkEmail.ContactsRead, bulkEmail.ContactsWrite })
        {
            if (policy is null)
            {
                group.RequireAuthorization();
            }
            else
            {
                group.RequireAuthorization(policy);
            }
        }
    }

    [Fact]
    public async Task Under_a_path_base_and_a_group_prefix_every_mailed_link_the_form_and_location_point_at_the_mapped_endpoints()
    {
        var pickup = Directory.CreateTempSubdirectory("crm-prefix-").FullName;
        try
        {
            await using var app = BuildApp(pickup);
            app.UsePathBase("/base");
            var crm = app.MapGroup("/crm");
            crm.MapCrmChannels().Agents.AllowAnonymous();
            var bulkEmail = crm.MapBulkEmail();
            bulkEmail.Campaigns.AllowAnonymous();
            bulkEmail.ContactsRead.AllowAnonymous();
            bulkEmail.ContactsWrite.AllowAnonymous();
            using var client = await StartOnLoopbackAsync(app);
            client.DefaultRequestHeaders.UserAgent.ParseAdd(MailClient.UserAgent);

            using (var import = await client.PostAsJsonAsync("/base/crm/contacts", new[] { new { email = "prefixed@example.com" } }))
            {
                Assert.Equal(HttpStatusCode.OK, import.StatusCode);
            }

            using var created = await client.PostAsJsonAsync("/base/crm/bulk-email", new { subject = "Prefixed", body = "<p>Hi</p>" });
            Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            Assert.Equal($"/base/crm/bulk-email/{id}", created.Headers.Location?.OriginalString);
            var campaign = await new CampaignApi(client).WaitForAsync(id, c => c.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(30), $"/base/crm/bulk-email/{id}");

            var message = MimeKit.MimeMessage.Load(Directory.GetFiles(pickup, "*.eml").Single());
            var root = $"{app.Urls.First()}/base/crm/bulk-email";
            var pixel = Regex.Match(message.HtmlBody!, "src=\"([^\"]+/open/[^\"]+)\"").Groups[1].Value;
            var unsubscribe = Regex.Match(message.HtmlBody!, "href=\"([^\"]+/unsubscribe/[^\"]+)\"").Groups[1].Value;
            Assert.StartsWith($"{root}/open/{id}/", pixel, StringComparison.Ordinal);
            Assert.StartsWith($"{root}/unsubscribe/{id}/", unsubscribe, StringComparison.Ordinal);
            Assert.Contains($"<{unsubscribe}>", message.Headers["List-Unsubscribe"]!.Replace(" ", "", StringComparison.Ordinal).Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);

            using (var hit = await client.GetAsync(pixel))
            {
                Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
            }

            var page = await client.GetStringAsync(unsubscribe);
            Assert.Contains($"action=\"{new Uri(unsubscribe).AbsolutePath}\"", page, StringComparison.Ordinal);
            using (var confirm = await client.PostAsync(unsubscribe, null))
            {
                Assert.True(confirm.IsSuccessStatusCode);
            }

            campaign = await new CampaignApi(client).WaitForAsync(id, c => c.GetProperty("openCount").GetInt32() == 1 && c.GetProperty("unsubscribeCount").GetInt32() == 1, TimeSpan.FromSeconds(10), $"/base/crm/bulk-email/{id}");
            Assert.Equal(1, campaign.GetProperty("sent").GetInt32());
            await app.StopAsync();
        }
        finally
        {
            HostProcess.TryDeleteDirectory(pickup);
        }
    }

    [Fact]
    public async Task An_own_sender_reads_each_message_whole_while_sending_and_the_dispatcher_disposes_it_once_sent()
    {
        var builder = LoopbackBuilder();
        builder.Services.AddAuthorization();
        builder.Services.AddBulkEmail(o => o.FromAddress = "news@shop.example")
            .ConfigureDispatcher(o => o.PollInterval = TimeSpan.FromMilliseconds(50))
            .UseSender<RecordingSender>()
            .UseInMemoryStores();
        await using var app = builder.Build();
        using var client = await StartWithOpenBulkEmailAsync(app);
        var id = await CreateCampaignToAsync(client, "Own sender", "<p>Hello {{ contact.email }}</p>", "one@example.com", "two@example.com");
        await new CampaignApi(client).WaitForAsync(id, c => c.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(30));

        var sender = (RecordingSender)app.Services.GetRequiredService<Crm.Campaigns.Sending.ICampaignSender>();
        Assert.Equal(["one@example.com", "two@example.com"], sender.Sent.Select(s => s.To).Order(StringComparer.Ordinal));
        Assert.All(sender.Sent, sent => Assert.Contains($"Hello {sent.To}", sent.Html, StringComparison.Ordinal));
        // No display name the integrator did not choose: the library's own name is nobody's sender.
        Assert.All(sender.Sent, sent => Assert.Equal("news@shop.example", sent.From));
        Assert.All(sender.Sent, sent => Assert.Equal("\"Campaigns\" <campaigns.shop.example>", sent.ListId));
        // Once SendAsync returned, the message is the dispatcher's to dispose (its finalizers would otherwise keep every
        // message alive through a collection): reading its content now fails.
        Assert.All(sender.Sent, sent => Assert.Throws<ObjectDisposedException>(() => sent.Message.HtmlBody));
        await app.StopAsync();
    }

    [Fact]
    public async Task A_campaign_whose_smtp_server_was_never_reached_pauses_saying_why_and_completes_once_the_server_is_there_and_it_is_resumed()
    {
        var port = HostProcess.FreeTcpPort();
        var builder = LoopbackBuilder();
        builder.Services.AddAuthorization();
        builder.Services.AddBulkEmail(o => o.FromAddress = "news@shop.example")
            .ConfigureDispatcher(o =>
            {
                o.PollInterval = TimeSpan.FromMilliseconds(50);
                o.RetryBaseDelay = TimeSpan.FromMilliseconds(50);
            })
            .UseSmtp(o =>
            {
                o.Host = "127.0.0.1";
                o.Port = port;
                o.Security = Crm.Campaigns.Sending.SmtpSecurity.None;
            })
            .UseInMemoryStores();
        await using var app = builder.Build();
        using var client = await StartWithOpenBulkEmailAsync(app);
        var campaigns = new CampaignApi(client);

        var id = await CreateCampaignToAsync(client, "Hello", "<p>Hi</p>", "a@example.com", "b@example.com", "c@example.com");

        // Before: "sending" for minutes, then "completed" with every recipient failed and no reason anywhere.
        var paused = await campaigns.WaitForAsync(id, c => c.GetProperty("status").GetString() == "paused", TimeSpan.FromSeconds(30));
        var couldNotConnect = $"Could not connect to 127.0.0.1:{port}";
        Assert.Contains("never reached", paused.GetProperty("pauseReason").GetString(), StringComparison.Ordinal);
        Assert.Contains(couldNotConnect, paused.GetProperty("pauseReason").GetString(), StringComparison.Ordinal);
        Assert.Contains(couldNotConnect, paused.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.String, paused.GetProperty("lastErrorAt").ValueKind);
        Assert.Equal(0, paused.GetProperty("failed").GetInt32());
        Assert.Equal(0, paused.GetProperty("sent").GetInt32());
        Assert.InRange(paused.GetProperty("deferred").GetInt32(), 1, 3);

        await using var sink = await SmtpSink.StartAsync(port);
        using (var resumed = await client.PostAsync($"/bulk-email/{id}/resume", null))
        {
            Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        }

        var completed = await campaigns.WaitForAsync(id, c => c.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(30));
        Assert.Equal(3, completed.GetProperty("sent").GetInt32());
        Assert.Equal(0, completed.GetProperty("failed").GetInt32());
        Assert.Equal(0, completed.GetProperty("deferred").GetInt32());
        await sink.WaitForMessagesAsync(3, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_refusing_server_that_was_reached_once_does_not_pause_the_campaign_but_records_its_answer_as_the_last_error()
    {
        var builder = LoopbackBuilder();
        builder.Services.AddAuthorization();
        await using var refusing = new ScriptedSmtpServer(_ => true);
        builder.Services.AddBulkEmail(o => o.FromAddress = "news@shop.example")
            .ConfigureDispatcher(o => o.PollInterval = TimeSpan.FromMilliseconds(50))
            .UseSmtp(o =>
            {
                o.Host = "127.0.0.1";
                o.Port = refusing.Port;
                o.Security = Crm.Campaigns.Sending.SmtpSecurity.None;
            })
            .UseInMemoryStores();
        await using var app = builder.Build();
        using var client = await StartWithOpenBulkEmailAsync(app);

        var id = await CreateCampaignToAsync(client, "Hello", "<p>Hi</p>", "nobody@example.com");

        var completed = await new CampaignApi(client).WaitForAsync(id, c => c.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(30));
        Assert.Equal(1, completed.GetProperty("failed").GetInt32());
        Assert.Contains("550", completed.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Contains("No such user here", completed.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, completed.GetProperty("pauseReason").ValueKind);
    }

    [Fact]
    public async Task AddCrmInstrumentation_traces_a_campaign_as_one_span_with_linked_batches_and_a_refused_recipient_as_an_error()
    {
        var spans = new List<System.Diagnostics.Activity>();
        var metrics = new List<OpenTelemetry.Metrics.Metric>();
        using var tracing = OpenTelemetry.Sdk.CreateTracerProviderBuilder().AddCrmInstrumentation().AddInMemoryExporter(spans).Build();
        using var metering = OpenTelemetry.Sdk.CreateMeterProviderBuilder().AddCrmInstrumentation().AddInMemoryExporter(metrics).Build();
        var builder = LoopbackBuilder();
        builder.Services.AddAuthorization();
        await using var server = new ScriptedSmtpServer(recipient => recipient.StartsWith("nobody", StringComparison.Ordinal));
        builder.Services.AddBulkEmail(o => o.FromAddress = "news@shop.example")
            .ConfigureDispatcher(o =>
            {
                o.PollInterval = TimeSpan.FromMilliseconds(50);
                o.BatchSize = 2;
            })
            .UseSmtp(o => (o.Host, o.Port, o.Security) = ("127.0.0.1", server.Port, Crm.Campaigns.Sending.SmtpSecurity.None))
            .UseInMemoryStores();
        await using var app = builder.Build();
        using var client = await StartWithOpenBulkEmailAsync(app);

        var id = await CreateCampaignToAsync(client, "Traced", "<p>Hi</p>", "ann@example.com", "bob@example.com", "nobody@example.com", "dan@example.com");
        await new CampaignApi(client).WaitForAsync(id, c => c.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(30));
        tracing.ForceFlush();
        metering.ForceFlush();

        // Spans of other tests running in parallel are in the exporter too: this campaign's are found by its id.
        var campaign = Assert.Single(spans, s => s.OperationName == "crm.campaigns.campaign" && Equals(s.GetTagItem("crm.campaign_id"), id));
        var batches = spans.Where(s => s.OperationName == "crm.campaigns.batch" && s.Links.Any(l => l.Context.SpanId == campaign.SpanId)).ToList();
        Assert.Equal(2, batches.Count);
        Assert.All(batches, b =>
        {
            Assert.Equal(default, b.ParentSpanId);
            Assert.Equal(campaign.TraceId, Assert.Single(b.Links).Context.TraceId);
            Assert.NotEqual(campaign.TraceId, b.TraceId);
        });
        var sends = spans.Where(s => s.OperationName == "crm.campaigns.send" && Equals(s.GetTagItem("crm.campaign_id"), id)).ToList();
        Assert.Equal(4, sends.Count);
        Assert.All(sends, s => Assert.Contains(batches, b => b.SpanId == s.ParentSpanId));
        var refused = Assert.Single(sends, s => s.Status == System.Diagnostics.ActivityStatusCode.Error);
        Assert.Equal("failed", refused.GetTagItem("crm.outcome"));
        Assert.Contains("550", refused.StatusDescription, StringComparison.Ordinal);
        Assert.Equal(3, sends.Count(s => (string?)s.GetTagItem("crm.outcome") == "sent" && s.Status == System.Diagnostics.ActivityStatusCode.Unset));
        Assert.Contains(metrics, m => m.Name == Crm.Campaigns.Diagnostics.CrmCampaignsTelemetry.SendAttemptsMetric);
    }

    [Fact]
    public async Task A_locked_store_is_a_503_with_retry_after_on_the_crm_endpoints_without_any_exception_handling_in_the_host()
    {
        var directory = Directory.CreateTempSubdirectory("crm-outage-").FullName;
        try
        {
            var file = Path.Combine(directory, "crm.db");
            var builder = LoopbackBuilder();
            builder.Services.AddAuthorization();
            builder.Services.AddCrmChannels().AddChat();
            builder.Services.AddBulkEmail(o => o.FromAddress = "news@shop.example").UsePickupDirectory(o => o.Directory = directory);
            // "Default Timeout=1": a locked database fails a command after a second instead of the default 30.
            builder.Services.AddCrmEntityFrameworkStores(o => o.UseCrmSqlite($"Data Source={file};Default Timeout=1;Pooling=False"));
            await using var app = builder.Build();
            await app.Services.MigrateCrmDatabaseAsync();
            app.MapCrmChannels().Agents.AllowAnonymous();
            using var client = await StartWithOpenBulkEmailAsync(app);

            await using (var locker = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False"))
            {
                await locker.OpenAsync();
                await using var transaction = locker.BeginTransaction(); // BEGIN IMMEDIATE: the write lock, as a stuck writer holds it

                using var chat = await client.PostAsJsonAsync("/tickets?channel=chat", new { name = "Ann", email = "ann@example.com", message = "while locked" });
                using var campaign = await client.PostAsJsonAsync("/bulk-email", new { subject = "Hi", body = "<p>Hi</p>" });
                foreach (var refused in new[] { chat, campaign })
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                    Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
                    Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
                    Assert.DoesNotContain("sqlite", await refused.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
                }

                transaction.Rollback();
            }

            using var accepted = await client.PostAsJsonAsync("/tickets?channel=chat", new { name = "Ann", email = "ann@example.com", message = "after the lock" });
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
            var tickets = await client.GetFromJsonAsync<JsonElement>("/tickets");
            Assert.Equal(1, tickets.GetProperty("total").GetInt32());
        }
        finally
        {
            HostProcess.TryDeleteDirectory(directory);
        }
    }

    [Fact]
    public void Two_adapters_claiming_one_channel_stop_the_app_when_it_maps_the_endpoints()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddCrmChannels().AddChat().AddAdapter<SecondChatAdapter>().UseInMemoryStore();
        using var app = builder.Build();

        var failure = Assert.Throws<InvalidOperationException>(() => app.MapCrmChannels());

        Assert.Contains("both claim channel 'chat'", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("this is not json", "application/json")]
    [InlineData("{\"id\": \"m1\", \"from\": ", "application/json")]
    [InlineData("{\"id\": 5, \"from\": \"tg-1\", \"text\": \"Hi\"}", "application/json")]
    public async Task An_own_adapter_that_reads_json_answers_400_for_a_body_that_is_not_its_json_and_stores_nothing(string body, string contentType)
    {
        await using var app = BuildJsonChatApp();
        using var client = await StartOnLoopbackAsync(app);

        using var refused = await client.PostAsync("/tickets?channel=json-chat", new StringContent(body, System.Text.Encoding.UTF8, contentType));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Malformed request", problem.GetProperty("title").GetString());
        Assert.Contains("not valid JSON", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The same adapter with its JSON: stored, so the refusal above was about the body alone.
        using var accepted = await client.PostAsJsonAsync("/tickets?channel=json-chat", new { id = "m1", from = "tg-1", text = "Hello" });
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        var tickets = await client.GetFromJsonAsync<JsonElement>("/tickets");
        Assert.Equal(1, tickets.GetProperty("total").GetInt32());
        await app.StopAsync();
    }

    [Fact]
    public async Task Requests_an_adapter_refuses_are_counted_as_rejected_with_a_reason_named_by_the_status()
    {
        var reasons = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Crm.Channels.Diagnostics.CrmChannelsTelemetry.SourceName && instrument.Name == Crm.Channels.Diagnostics.CrmChannelsTelemetry.MessagesRejectedMetric)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? channel = null, reason = null;
            foreach (var tag in tags)
            {
                channel = tag.Key == "crm.channel" ? tag.Value as string : channel;
                reason = tag.Key == "crm.reason" ? tag.Value as string : reason;
            }

            // Only this test's channel: other tests refuse requests in parallel.
            if (channel == "json-chat" && value == 1)
            {
                reasons.Add(reason!);
            }
        });
        listener.Start();

        await using var app = BuildJsonChatApp();
        using var client = await StartOnLoopbackAsync(app);

        using var forged = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=json-chat") { Content = JsonContent.Create(new { id = "m1", from = "tg-1", text = "Hi" }) };
        forged.Headers.Add("X-Json-Chat-Secret", "wrong");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(forged)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/tickets?channel=json-chat", new StringContent("{", System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.PostAsync("/tickets?channel=json-chat", new StringContent(JsonSerializer.Serialize(new { id = "m2", from = "tg-1", text = new string('x', 5000) }), System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/tickets?channel=json-chat", new { id = "m3", from = "tg-1", text = "Hi" })).StatusCode);

        Assert.Equal(["forbidden", "malformed", "too_large"], reasons.Order());
        await app.StopAsync();
    }

    [Fact]
    public async Task A_reply_sender_registered_as_a_typed_http_client_sends_through_its_configured_client()
    {
        var posted = new System.Collections.Concurrent.ConcurrentQueue<JsonElement>();
        await using var transport = await StartJsonChatTransportAsync(posted);
        await using var app = BuildJsonChatApp(channels => AddJsonChatReplySender(channels, transport));
        using var client = await StartOnLoopbackAsync(app);

        using var created = await client.PostAsJsonAsync("/tickets?channel=json-chat", new { id = "m1", from = "tg-42", text = "Is my order on its way?" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ticketId = (await client.GetFromJsonAsync<JsonElement>("/tickets")).GetProperty("items")[0].GetProperty("id").GetInt64();
        foreach (var text in new[] { "It left this morning.", "Tracking: JC-1." })
        {
            using var queued = await client.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text });
            Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        }

        JsonElement[] replies = [];
        for (var deadline = DateTime.UtcNow.AddSeconds(20); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            var ticket = await client.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}");
            replies = [.. ticket.GetProperty("messages").EnumerateArray().Where(m => m.GetProperty("direction").GetString() == "outbound")];
            if (replies.Length == 2 && replies.All(m => m.GetProperty("deliveryStatus").GetString() != "queued"))
            {
                break;
            }
        }

        // Both sent through the typed client's base address (a plain client has none and would fail every attempt).
        Assert.Equal(["sent", "sent"], replies.Select(m => m.GetProperty("deliveryStatus").GetString()));
        Assert.Equal(["json-chat-1", "json-chat-2"], replies.Select(m => m.GetProperty("externalMessageId").GetString()).Order());
        Assert.Equal(["It left this morning.", "Tracking: JC-1."], posted.Select(p => p.GetProperty("text").GetString()).Order());
        Assert.All(posted, p => Assert.Equal("tg-42", p.GetProperty("chatId").GetString()));
        await app.StopAsync();
        await transport.StopAsync();
    }

    [Theory]
    [InlineData("test")]
    [InlineData("changeme-please")]
    public async Task A_short_api_key_stops_the_host_at_start_saying_how_long_a_key_must_be(string key)
    {
        var builder = LoopbackBuilder();
        builder.Services.AddCrmApiKeys(o => o.Keys.Add(new CrmApiKey(key, CrmRoles.Agent)));
        builder.Services.AddCrmChannels().AddChat().UseInMemoryStore();
        await using var app = builder.Build();
        app.MapCrmChannels().Agents.RequireAuthorization(CrmPolicies.Agents);

        var failure = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains($"has {key.Length} characters; use at least 16", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reply_author_hook_names_the_author_instead_of_the_login_name()
    {
        var posted = new System.Collections.Concurrent.ConcurrentQueue<JsonElement>();
        await using var transport = await StartJsonChatTransportAsync(posted);
        await using var app = BuildJsonChatApp(channels => AddJsonChatReplySender(channels, transport).UseReplyAuthor(context => context.Request.Headers["X-Display-Name"]));
        using var client = await StartOnLoopbackAsync(app);
        using var created = await client.PostAsJsonAsync("/tickets?channel=json-chat", new { id = "m1", from = "tg-7", text = "Hello?" });
        var ticketId = (await client.GetFromJsonAsync<JsonElement>("/tickets")).GetProperty("items")[0].GetProperty("id").GetInt64();

        using var named = new HttpRequestMessage(HttpMethod.Post, $"/tickets/{ticketId}/replies") { Content = JsonContent.Create(new { text = "Hi, Ada here." }) };
        named.Headers.Add("X-Display-Name", "  Ada from Support ");
        using var namedQueued = await client.SendAsync(named);
        using var unnamedQueued = await client.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "Anyone?" });

        Assert.Equal(HttpStatusCode.Accepted, namedQueued.StatusCode);
        Assert.Equal("Ada from Support", (await namedQueued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("author").GetString());
        Assert.Equal(JsonValueKind.Null, (await unnamedQueued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("author").ValueKind);
        await app.StopAsync();
        await transport.StopAsync();
    }

    [Theory]
    [InlineData("short-key", "at least 32 bytes")]
    [InlineData(null, "FromAddress")]
    public async Task A_short_signing_key_or_no_sender_address_stops_the_app_at_start(string? signingKey, string named)
    {
        var builder = LoopbackBuilder();
        builder.Services.AddBulkEmail(o => o.FromAddress = signingKey is null ? null : "news@shop.example")
            .ConfigureTracking(o => o.SigningKey = signingKey)
            .UsePickupDirectory(o => o.Directory = Path.GetTempPath())
            .UseInMemoryStores();
        await using var app = builder.Build();

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_context_without_the_campaign_tables_or_with_pending_migrations_stops_the_app_at_start()
    {
        var directory = Directory.CreateTempSubdirectory("crm-startcheck-").FullName;
        try
        {
            var builder = LoopbackBuilder();
            builder.Services.AddPooledDbContextFactory<ChannelsOnlyContext>(o => o.UseCrmSqlite($"Data Source={Path.Combine(directory, "a.db")};Pooling=False"));
            builder.Services.AddCrmEntityFrameworkStores<ChannelsOnlyContext>();
            builder.Services.AddBulkEmail(o => o.FromAddress = "news@shop.example").UsePickupDirectory(o => o.Directory = directory);
            await using (var app = builder.Build())
            {
                var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
                Assert.Contains("call modelBuilder.ApplyCrmCampaigns() in ChannelsOnlyContext.OnModelCreating", missing.Message, StringComparison.Ordinal);
            }

            var unmigrated = LoopbackBuilder();
            unmigrated.Services.AddCrmEntityFrameworkStores(o => o.UseCrmSqlite($"Data Source={Path.Combine(directory, "b.db")};Pooling=False"));
            await using (var app = unmigrated.Build())
            {
                var pending = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
                Assert.Contains("MigrateCrmDatabaseAsync()", pending.Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            HostProcess.TryDeleteDirectory(directory);
        }
    }

    [Fact]
    public async Task An_own_context_with_no_migration_or_missing_a_column_a_newer_package_maps_stops_the_app_at_start_naming_the_table()
    {
        var directory = Directory.CreateTempSubdirectory("crm-probe-").FullName;
        try
        {
            WebApplication Build(string file)
            {
                var builder = LoopbackBuilder();
                builder.Services.AddCrmChannels().AddChat();
                builder.Services.AddPooledDbContextFactory<ChannelsOnlyContext>(o => o.UseCrmSqlite($"Data Source={Path.Combine(directory, file)};Pooling=False"));
                builder.Services.AddCrmChannelStores<ChannelsOnlyContext>();
                var app = builder.Build();
                app.MapCrmChannels().Agents.AllowAnonymous();
                return app;
            }

            // The host added ApplyCrmChannels() but never a migration: nothing is pending, yet no CRM table exists.
            await using (var app = Build("none.db"))
            {
                var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
                Assert.Contains("The database of ChannelsOnlyContext lacks the CRM's table", failure.Message, StringComparison.Ordinal);
                Assert.Contains("dotnet ef migrations add UpgradeCrm --context ChannelsOnlyContext", failure.Message, StringComparison.Ordinal);
            }

            // A database made by an older package: every table there, one column of today's model missing.
            await using (var app = Build("older.db"))
            {
                await using (var db = await app.Services.GetRequiredService<IDbContextFactory<ChannelsOnlyContext>>().CreateDbContextAsync())
                {
                    await db.Database.EnsureCreatedAsync();
                    var tickets = db.Model.GetEntityTypes().Single(e => e.ClrType.Name == "TicketRecord");
                    var table = tickets.GetTableName()!;
                    var column = tickets.FindProperty("Subject")!.GetColumnName();
                    var rename = $"ALTER TABLE \"{table}\" RENAME COLUMN \"{column}\" TO \"{column}_of_an_older_release\"";
                    await db.Database.ExecuteSqlRawAsync(rename);
                }

                var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
                Assert.Contains("lacks the CRM's table", failure.Message, StringComparison.Ordinal);
                Assert.Contains("subject", failure.Message, StringComparison.OrdinalIgnoreCase);
            }

            // The same database once complete starts (the probe reads no row and changes nothing).
            await using (var app = Build("complete.db"))
            {
                await using (var db = await app.Services.GetRequiredService<IDbContextFactory<ChannelsOnlyContext>>().CreateDbContextAsync())
                {
                    await db.Database.EnsureCreatedAsync();
                }

                await app.StartAsync();
                await app.StopAsync();
            }
        }
        finally
        {
            HostProcess.TryDeleteDirectory(directory);
        }
    }

    [Fact]
    public Task A_channels_only_context_holds_chat_tickets_and_the_channels_secrets_without_any_campaign_table_on_sqlite()
        => OnSqliteAsync(file => ChannelsOnlyAsync<ChannelsOnlyContext>(o => o.UseCrmSqlite($"Data Source={file};Pooling=False")));

    [Fact]
    public Task A_channels_only_context_holds_chat_tickets_and_the_channels_secrets_without_any_campaign_table_on_postgresql()
        => OnPostgresAsync(database => ChannelsOnlyAsync<PostgresChannelsOnlyContext>(o => o.UseCrmPostgres(database)));

    private static async Task ChannelsOnlyAsync<TContext>(Action<DbContextOptionsBuilder> configure)
        where TContext : DbContext
    {
        var builder = LoopbackBuilder();
        builder.Services.AddAuthorization();
        builder.Services.AddCrmChannels().AddChat();
        builder.Services.AddPooledDbContextFactory<TContext>(configure);
        builder.Services.AddCrmChannelStores<TContext>();
        await using var app = builder.Build();
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<TContext>>().CreateDbContextAsync())
        {
            await db.Database.EnsureCreatedAsync();
            Assert.Null(db.Model.FindEntityType("Crm.Storage.EfCore.Campaigns.Entities.CampaignRecord"));
        }

        app.MapCrmChannels().Agents.AllowAnonymous();
        using var client = await StartOnLoopbackAsync(app);

        // The chat answers with a visitor token signed by a secret kept in crm_settings: the shared table must be there.
        using var created = await client.PostAsJsonAsync("/tickets?channel=chat", new { name = "Ada", email = "ada@example.com", message = "Where is my order?" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var answer = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrEmpty(answer.GetProperty("visitorToken").GetString()));
        var tickets = await client.GetFromJsonAsync<JsonElement>("/tickets");
        Assert.Equal("chat", tickets.GetProperty("items").EnumerateArray().Single().GetProperty("channel").GetString());
        Assert.Null(app.Services.GetService<Crm.Campaigns.Campaigns.ICampaignStore>());
    }

    [Fact]
    public Task A_campaigns_only_context_sends_a_campaign_without_any_ticket_table_on_sqlite()
        => OnSqliteAsync(file => CampaignsOnlyAsync<CampaignsOnlyContext>(o => o.UseCrmSqlite($"Data Source={file};Pooling=False")));

    [Fact]
    public Task A_campaigns_only_context_sends_a_campaign_without_any_ticket_table_on_postgresql()
        => OnPostgresAsync(database => CampaignsOnlyAsync<PostgresCampaignsOnlyContext>(o => o.UseCrmPostgres(database)));

    private static async Task CampaignsOnlyAsync<TContext>(Action<DbContextOptionsBuilder> configure)
        where TContext : DbContext
    {
        var outbox = Directory.CreateTempSubdirectory("crm-campaigns-only-").FullName;
        try
        {
            var builder = LoopbackBuilder();
            builder.Services.AddAuthorization();
            builder.Services.AddBulkEmail(o => o.FromAddress = "news@shop.example")
                .ConfigureTracking(o => o.MachineOpenWindow = TimeSpan.Zero)
                .UsePickupDirectory(o => o.Directory = outbox);
            builder.Services.AddPooledDbContextFactory<TContext>(configure);
            builder.Services.AddCrmCampaignStores<TContext>();
            await using var app = builder.Build();
            await using (var db = await app.Services.GetRequiredService<IDbContextFactory<TContext>>().CreateDbContextAsync())
            {
                await db.Database.EnsureCreatedAsync();
                Assert.Null(db.Model.FindEntityType("Crm.Storage.EfCore.Channels.Entities.TicketRecord"));
            }

            using var client = await StartWithOpenBulkEmailAsync(app);
            var id = await CreateCampaignToAsync(client, "Campaigns only", "<p>Hi {{ name }}</p>", "grace@example.com", "alan@example.com");
            var campaign = await new CampaignApi(client).WaitForAsync(id, c => c.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(30), $"/bulk-email/{id}");

            Assert.Equal(2, campaign.GetProperty("sent").GetInt32());
            Assert.Equal(2, Directory.GetFiles(outbox, "*.eml").Length);
            Assert.Null(app.Services.GetService<Crm.Channels.Storage.ITicketStore>());
        }
        finally
        {
            HostProcess.TryDeleteDirectory(outbox);
        }
    }

    [Fact]
    public Task A_table_prefix_keeps_the_crm_beside_a_host_contacts_table_through_chat_segments_and_sending_on_sqlite()
        => OnSqliteAsync(file => PrefixedAsync<PrefixedSqliteContext>(o => o.UseCrmSqlite($"Data Source={file};Pooling=False"), schema: null));

    [Fact]
    public Task A_table_prefix_and_schema_keep_the_crm_beside_a_host_contacts_table_through_chat_segments_and_sending_on_postgresql()
        => OnPostgresAsync(database => PrefixedAsync<PrefixedPostgresContext>(o => o.UseCrmPostgres(database), schema: "crm"));

    private static async Task PrefixedAsync<TContext>(Action<DbContextOptionsBuilder> configure, string? schema)
        where TContext : DbContext
    {
        var outbox = Directory.CreateTempSubdirectory("crm-prefixed-").FullName;
        try
        {
            var builder = LoopbackBuilder();
            builder.Services.AddAuthorization();
            builder.Services.AddCrmChannels().AddChat();
            builder.Services.AddBulkEmail(o => o.FromAddress = "news@shop.example").UsePickupDirectory(o => o.Directory = outbox);
            builder.Services.AddPooledDbContextFactory<TContext>(configure);
            builder.Services.AddCrmEntityFrameworkStores<TContext>();
            await using var app = builder.Build();
            var contexts = app.Services.GetRequiredService<IDbContextFactory<TContext>>();
            await using (var db = await contexts.CreateDbContextAsync())
            {
                await db.Database.EnsureCreatedAsync();
                db.Set<ShopContact>().Add(new ShopContact { Name = "The shop's own contact" });
                await db.SaveChangesAsync();
            }

            app.MapCrmChannels().Agents.AllowAnonymous();
            using var client = await StartWithOpenBulkEmailAsync(app);
            using var chat = await client.PostAsJsonAsync("/tickets?channel=chat", new { name = "Ada", email = "ada@example.com", message = "Hello" });
            Assert.Equal(HttpStatusCode.Created, chat.StatusCode);
            var api = new CampaignApi(client);
            await api.ImportAsync(new object[] { new { email = "vip@example.com", tags = new[] { "vip" } }, new { email = "plain@example.com", tags = new[] { "plain" } } });
            var id = await api.CreateAsync(new { subject = "VIPs only", body = "<p>Hi</p>", segment = new { tags = new[] { "vip" } } });
            var sent = await api.WaitForAsync(id, c => c.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(30));

            // Segments, the ledger snapshot and the claim (hand-written SQL) found the prefixed tables; the host's are untouched.
            Assert.Equal(1, sent.GetProperty("recipients").GetInt32());
            Assert.Equal(1, sent.GetProperty("sent").GetInt32());
            Assert.Single(Directory.GetFiles(outbox, "*.eml"));
            await using var check = await contexts.CreateDbContextAsync();
            var crmTables = check.Model.GetEntityTypes().Where(e => e.ClrType.Namespace?.StartsWith("Crm.Storage.EfCore", StringComparison.Ordinal) == true).ToList();
            Assert.NotEmpty(crmTables);
            Assert.All(crmTables, e =>
            {
                Assert.StartsWith("crm_", e.GetTableName(), StringComparison.Ordinal);
                Assert.Equal(schema, e.GetSchema());
                Assert.All(e.GetIndexes(), i => Assert.StartsWith("crm_", i.GetDatabaseName(), StringComparison.Ordinal));
            });
            Assert.Equal("The shop's own contact", Assert.Single(await check.Set<ShopContact>().ToListAsync()).Name);
            var crmContacts = check.Model.GetEntityTypes().Single(e => e.ClrType.Name == "ContactRecord");
            var delimited = schema is null ? $"\"{crmContacts.GetTableName()}\"" : $"\"{schema}\".\"{crmContacts.GetTableName()}\"";
            var count = "SELECT COUNT(*) AS \"Value\" FROM " + delimited;
            Assert.Equal(3, await check.Database.SqlQueryRaw<int>(count).SingleAsync());
        }
        finally
        {
            HostProcess.TryDeleteDirectory(outbox);
        }
    }

    [Fact]
    public Task The_crm_lowers_its_contexts_command_log_to_debug_so_its_polls_do_not_fill_the_log_at_information()
        => OnSqliteAsync(async file =>
        {
            var log = new CommandLog();
            var builder = LoopbackBuilder();
            // A rule for this provider alone: the output folder's appsettings.json (the sample's) sets the default level.
            builder.Logging.AddProvider(log).AddFilter<CommandLog>(DbLoggerCategory.Database.Command.Name, LogLevel.Trace);
            builder.Services.AddAuthorization();
            builder.Services.AddCrmChannels().AddChat();
            builder.Services.AddPooledDbContextFactory<ChannelsOnlyContext>(o => o.UseCrmSqlite($"Data Source={file};Pooling=False"));
            builder.Services.AddCrmChannelStores<ChannelsOnlyContext>();
            await using var app = builder.Build();
            await using (var db = await app.Services.GetRequiredService<IDbContextFactory<ChannelsOnlyContext>>().CreateDbContextAsync())
            {
                await db.Database.EnsureCreatedAsync();
            }

            app.MapCrmChannels().Agents.AllowAnonymous();
            using var client = await StartOnLoopbackAsync(app);
            using var created = await client.PostAsJsonAsync("/tickets?channel=chat", new { name = "Ada", email = "ada@example.com", message = "Hello" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            await app.StopAsync();

            Assert.Contains(log.Executed, level => level == LogLevel.Debug);
            Assert.DoesNotContain(log.Executed, level => level >= LogLevel.Information);
        });

    /// <summary>The levels EF Core logged its "Executed DbCommand" (event 20101) at.</summary>
    private sealed class CommandLog : ILoggerProvider, ILogger
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<LogLevel> _executed = new();

        public IReadOnlyCollection<LogLevel> Executed => _executed;

        public ILogger CreateLogger(string categoryName) => categoryName == DbLoggerCategory.Database.Command.Name ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.CommandExecuted.Id)
            {
                _executed.Enqueue(logLevel);
            }
        }

        public void Dispose()
        {
        }
    }

    [Fact]
    public void Two_feature_calls_with_different_table_options_are_refused_with_the_fix()
    {
        var builder = new ModelBuilder();
        builder.ApplyCrmChannels(o => o.TablePrefix = "crm_");

        var other = Assert.Throws<InvalidOperationException>(() => builder.ApplyCrmCampaigns(o => o.TablePrefix = "cmp_"));
        var missing = Assert.Throws<InvalidOperationException>(() => builder.ApplyCrmCampaigns());
        var unsafeName = Assert.Throws<ArgumentException>(() => new ModelBuilder().ApplyCrmChannels(o => o.TablePrefix = "x\"; DROP TABLE contacts; --"));

        Assert.Contains("give both the same", other.Message, StringComparison.Ordinal);
        Assert.Contains("give ApplyCrmCampaigns the same", missing.Message, StringComparison.Ordinal);
        Assert.Contains("only letters, digits and underscores", unsafeName.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Recipient_texts_put_the_footer_and_the_unsubscribe_pages_in_the_hosts_words_or_its_own_layout(bool hostLayout)
    {
        var pickup = Directory.CreateTempSubdirectory("crm-texts-").FullName;
        try
        {
            var builder = LoopbackBuilder();
            builder.Services.AddAuthorization();
            builder.Services.AddBulkEmail(o => o.FromAddress = "news@shop.example")
                .UsePickupDirectory(o => o.Directory = pickup)
                .UseInMemoryStores()
                .ConfigureRecipientTexts(t =>
                {
                    t.Language = "de";
                    t.Footer = "Sie erhalten diese E-Mail als Kunde <3.";
                    t.UnsubscribeLink = "Abmelden";
                    t.UnsubscribeTitle = "Abmelden";
                    t.UnsubscribeQuestion = "Keine Werbung mehr von uns?";
                    t.UnsubscribeButton = "Jetzt abmelden";
                    t.Unsubscribed = "Sie sind abgemeldet.";
                    t.Layout = hostLayout ? page => $"<!doctype html><html lang=\"{page.Language}\" data-host-layout><title>{page.Title}</title>{page.BodyHtml}</html>" : null;
                });
            await using var app = builder.Build();
            using var client = await StartWithOpenBulkEmailAsync(app);
            var id = await CreateCampaignToAsync(client, "Hallo", "<p>Hallo</p>", "kundin@example.com");
            await new CampaignApi(client).WaitForAsync(id, c => c.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(30));

            var message = MimeKit.MimeMessage.Load(Directory.GetFiles(pickup, "*.eml").Single());
            Assert.Contains("Sie erhalten diese E-Mail als Kunde &lt;3.", message.HtmlBody, StringComparison.Ordinal);
            Assert.Contains(">Abmelden</a>", message.HtmlBody, StringComparison.Ordinal);
            Assert.Contains("Sie erhalten diese E-Mail als Kunde <3. Abmelden (", message.TextBody, StringComparison.Ordinal);
            var unsubscribe = Regex.Match(message.HtmlBody!, "href=\"([^\"]+/unsubscribe/[^\"]+)\"").Groups[1].Value;
            var page = await client.GetStringAsync(unsubscribe);
            Assert.Contains("lang=\"de\"", page, StringComparison.Ordinal);
            Assert.Contains("Keine Werbung mehr von uns?", page, StringComparison.Ordinal);
            Assert.Contains(">Jetzt abmelden</button>", page, StringComparison.Ordinal);
            Assert.Equal(hostLayout, page.Contains("data-host-layout", StringComparison.Ordinal));
            using var confirmed = await client.PostAsync(unsubscribe, null);
            Assert.Contains("Sie sind abgemeldet.", await confirmed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            HostProcess.TryDeleteDirectory(pickup);
        }
    }

    [Fact]
    public async Task Blank_recipient_texts_stop_the_host_at_start_naming_the_setting()
    {
        var builder = LoopbackBuilder();
        builder.Services.AddAuthorization();
        builder.Services.AddBulkEmail(o => o.FromAddress = "news@shop.example").UsePickupDirectory().UseInMemoryStores().ConfigureRecipientTexts(t => t.Footer = " ");
        await using var app = builder.Build();
        app.MapBulkEmail().AllowAnonymous();

        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Footer", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_ready_context_a_bounce_mail_for_campaign_mail_still_suppresses_its_recipient_and_opens_no_ticket()
    {
        // Both features on their own stores (no Crm.Database): AddBulkEmail() brings the intake-to-campaigns bridge itself.
        const string secret = "relay-secret-for-the-bounce-bridge-test";
        var pickup = Directory.CreateTempSubdirectory("crm-bridge-").FullName;
        try
        {
            var builder = LoopbackBuilder();
            builder.Services.AddAuthorization();
            builder.Services.AddCrmChannels().AddEmail(o => o.InboundSecret = secret).UseInMemoryStore();
            builder.Services.AddBulkEmail(o => o.FromAddress = "news@shop.example").UsePickupDirectory(o => o.Directory = pickup).UseInMemoryStores();
            await using var app = builder.Build();
            app.MapCrmChannels().Agents.AllowAnonymous();
            using var client = await StartWithOpenBulkEmailAsync(app);
            var id = await CreateCampaignToAsync(client, "News", "<p>Hi</p>", "gone@example.com");
            await new CampaignApi(client).WaitForAsync(id, c => c.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(30));
            var sent = MimeKit.MimeMessage.Load(Directory.GetFiles(pickup, "*.eml").Single());

            using var bounce = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=email")
            {
                Content = new ByteArrayContent(System.Text.Encoding.ASCII.GetBytes(TestMails.BounceReport("gone@example.com", returnedMessageId: sent.MessageId).ReplaceLineEndings("\r\n"))),
            };
            bounce.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("message/rfc822");
            bounce.Headers.Add("X-Crm-Secret", secret);
            using var answered = await client.SendAsync(bounce);

            Assert.True(answered.IsSuccessStatusCode, $"{answered.StatusCode}");
            var contact = (await client.GetFromJsonAsync<JsonElement>("/contacts")).GetProperty("items").EnumerateArray().Single();
            Assert.Equal("bounced", contact.GetProperty("marketingStatus").GetString());
            Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/tickets")).GetProperty("items").GetArrayLength());
        }
        finally
        {
            HostProcess.TryDeleteDirectory(pickup);
        }
    }

    /// <summary>Maps the campaign endpoints open to anyone and starts the app; returns a client of it.</summary>
    private static Task<HttpClient> StartWithOpenBulkEmailAsync(WebApplication app)
    {
        var bulkEmail = app.MapBulkEmail();
        bulkEmail.Campaigns.AllowAnonymous();
        bulkEmail.ContactsRead.AllowAnonymous();
        bulkEmail.ContactsWrite.AllowAnonymous();
        return StartOnLoopbackAsync(app);
    }

    /// <summary>Starts the app and returns a client for the loopback address it listens on.</summary>
    private static async Task<HttpClient> StartOnLoopbackAsync(WebApplication app)
    {
        await app.StartAsync();
        return new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    /// <summary>An integrator's app with the JSON chat adapter on the in-memory store, its agents' endpoints opened for the test.</summary>
    private static WebApplication BuildJsonChatApp(Action<Crm.Channels.DependencyInjection.ICrmChannelsBuilder>? configure = null)
    {
        var builder = LoopbackBuilder();
        builder.Services.AddAuthorization();
        var channels = builder.Services.AddCrmChannels().AddAdapter<JsonReadingAdapter>().UseInMemoryStore();
        configure?.Invoke(channels);
        var app = builder.Build();
        app.MapCrmChannels().Agents.AllowAnonymous();
        return app;
    }

    /// <summary>The JSON chat's API: a loopback app that records what the sender posts and answers with its message id.</summary>
    private static async Task<WebApplication> StartJsonChatTransportAsync(System.Collections.Concurrent.ConcurrentQueue<JsonElement> posted)
    {
        var transport = LoopbackBuilder().Build();
        transport.MapPost("/bot/sendMessage", async (Microsoft.AspNetCore.Http.HttpRequest request) =>
        {
            posted.Enqueue(await JsonSerializer.DeserializeAsync<JsonElement>(request.Body));
            return Microsoft.AspNetCore.Http.Results.Ok(new { messageId = $"json-chat-{posted.Count}" });
        });
        await transport.StartAsync();
        return transport;
    }

    /// <summary>Registers <see cref="JsonChatReplySender"/> as a typed client of <paramref name="transport"/>.</summary>
    private static Crm.Channels.DependencyInjection.ICrmChannelsBuilder AddJsonChatReplySender(Crm.Channels.DependencyInjection.ICrmChannelsBuilder channels, WebApplication transport)
    {
        channels.Services.AddHttpClient<JsonChatReplySender>(client => client.BaseAddress = new Uri(transport.Urls.First() + "/bot/"));
        return channels.AddReplySender<JsonChatReplySender>();
    }

    /// <summary>Imports the contacts and creates a campaign to all of them; returns its id.</summary>
    private static async Task<long> CreateCampaignToAsync(HttpClient client, string subject, string body, params string[] emails)
    {
        using (var import = await client.PostAsJsonAsync("/contacts", emails.Select(email => new { email })))
        {
            Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        }

        using var created = await client.PostAsJsonAsync("/bulk-email", new { subject, body });
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private static async Task OnSqliteAsync(Func<string, Task> test)
    {
        var directory = Directory.CreateTempSubdirectory("crm-feature-only-").FullName;
        try
        {
            await test(Path.Combine(directory, "crm.db"));
        }
        finally
        {
            HostProcess.TryDeleteDirectory(directory);
        }
    }

    private static async Task OnPostgresAsync(Func<string, Task> test)
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        try
        {
            await test(database);
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(database);
        }
    }

    private sealed class RecordingSender : Crm.Campaigns.Sending.ICampaignSender
    {
        public System.Collections.Concurrent.ConcurrentBag<(string To, string Html, string From, string ListId, MimeKit.MimeMessage Message)> Sent { get; } = [];

        public Task SendAsync(MimeKit.MimeMessage message, MimeKit.MailboxAddress? envelopeFrom, CancellationToken cancellationToken)
        {
            Sent.Add((message.To.Mailboxes.Single().Address, message.HtmlBody!, message.From.ToString(), message.Headers["List-Id"] ?? "", message));
            return Task.CompletedTask;
        }
    }

    private sealed class SecondChatAdapter : Crm.Channels.Adapters.IChannelAdapter
    {
        public string Channel => "chat";

        public ValueTask<IReadOnlyList<Crm.Channels.Ingestion.InboundMessage>> ReadAsync(Microsoft.AspNetCore.Http.HttpRequest request, CancellationToken cancellationToken)
            => ValueTask.FromResult<IReadOnlyList<Crm.Channels.Ingestion.InboundMessage>>([]);
    }

    /// <summary>An integrator's adapter that deserialises its transport's JSON itself, as a Telegram-like channel would.</summary>
    private sealed class JsonReadingAdapter : Crm.Channels.Adapters.IChannelAdapter
    {
        public string Channel => "json-chat";

        public async ValueTask<IReadOnlyList<Crm.Channels.Ingestion.InboundMessage>> ReadAsync(Microsoft.AspNetCore.Http.HttpRequest request, CancellationToken cancellationToken)
        {
            if (request.Headers["X-Json-Chat-Secret"] == "wrong")
            {
                throw new Crm.Channels.Adapters.ChannelRequestException(403, "Forbidden", "Bad secret.");
            }

            if (request.ContentLength > 4096)
            {
                throw new Crm.Channels.Adapters.ChannelRequestException(413, "Too large", "At most 4 KiB.");
            }

            var update = await JsonSerializer.DeserializeAsync<JsonChatUpdate>(request.Body, JsonSerializerOptions.Web, cancellationToken);
            return
            [
                new Crm.Channels.Ingestion.InboundMessage
                {
                    Channel = Channel,
                    ExternalMessageId = update!.Id,
                    Sender = new Crm.Channels.Ingestion.SenderIdentity(Email: $"{update.From}@json-chat.example"),
                    Text = update.Text,
                },
            ];
        }
    }

    private sealed record JsonChatUpdate(string Id, string From, string Text);

    /// <summary>A typed <see cref="HttpClient"/> client replying on the JSON chat: the chat id is the contact's address before the @.</summary>
    private sealed class JsonChatReplySender(HttpClient client) : Crm.Channels.Replies.IChannelReplySender
    {
        public string Channel => "json-chat";

        public async Task<Crm.Channels.Replies.ReplyDelivery> SendAsync(Crm.Channels.Tickets.TicketDetails ticket, Crm.Channels.Tickets.TicketMessage reply, CancellationToken cancellationToken)
        {
            var chatId = ticket.Contact!.Email!.Split('@')[0];
            using var answer = await client.PostAsJsonAsync("sendMessage", new { chatId, text = reply.Text }, cancellationToken);
            answer.EnsureSuccessStatusCode();
            var sent = await answer.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            return new Crm.Channels.Replies.ReplyDelivery(ExternalMessageId: sent.GetProperty("messageId").GetString());
        }
    }

    private sealed class ChannelsOnlyContext(DbContextOptions<ChannelsOnlyContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyCrmChannels().ApplyCrmSqliteConventions();
    }

    private sealed class CampaignsOnlyContext(DbContextOptions<CampaignsOnlyContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyCrmCampaigns().ApplyCrmSqliteConventions();
    }

    /// <summary>The host's own contacts, in a table named <c>contacts</c> like the CRM's unprefixed one.</summary>
    private sealed class ShopContact
    {
        public int Id { get; set; }

        public string Name { get; set; } = "";
    }

    private sealed class PrefixedSqliteContext(DbContextOptions<PrefixedSqliteContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<ShopContact>().ToTable("contacts");
            modelBuilder.ApplyCrmChannels(o => o.TablePrefix = "crm_").ApplyCrmCampaigns(o => o.TablePrefix = "crm_").ApplyCrmSqliteConventions();
        }
    }

    private sealed class PrefixedPostgresContext(DbContextOptions<PrefixedPostgresContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<ShopContact>().ToTable("contacts");
            modelBuilder.ApplyCrmChannels(o => (o.TablePrefix, o.Schema) = ("crm_", "crm")).ApplyCrmCampaigns(o => (o.TablePrefix, o.Schema) = ("crm_", "crm"));
        }
    }

    // Own context types per database: EF caches a model per context type, and SQLite's conventions are not PostgreSQL's.
    private sealed class PostgresChannelsOnlyContext(DbContextOptions<PostgresChannelsOnlyContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyCrmChannels();
    }

    private sealed class PostgresCampaignsOnlyContext(DbContextOptions<PostgresCampaignsOnlyContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyCrmCampaigns();
    }
}
