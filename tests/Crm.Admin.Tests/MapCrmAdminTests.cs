using System.Net;
using System.Net.Http.Headers;
using Crm.Admin;
using Crm.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crm.Admin.Tests;

/// <summary>
/// How <c>MapCrmAdmin</c> routes and guards the package's pages in a real Kestrel host on loopback, signed in with the
/// CRM's API keys (the pages take any authentication the host has).
/// </summary>
public sealed class MapCrmAdminTests : IDisposable
{
    private const string AgentKey = "admin-tests-agent-key-0123";
    private const string MarketingKey = "admin-tests-marketing-key-01";
    private const string ManagerKey = "admin-tests-manager-key-0123";

    private readonly string _outbox = Directory.CreateTempSubdirectory("crm-admin-tests-").FullName;

    public void Dispose() => Directory.Delete(_outbox, recursive: true);

    private WebApplication Build(bool campaigns = true, bool addAdmin = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddCrmApiKeys(o =>
        {
            o.Keys.Add(new CrmApiKey(AgentKey, CrmRoles.Agent));
            o.Keys.Add(new CrmApiKey(MarketingKey, CrmRoles.Marketing));
            o.Keys.Add(new CrmApiKey(ManagerKey, CrmRoles.Manager));
        });
        builder.Services.AddCrmChannels().AddChat().UseInMemoryStore();
        if (campaigns)
        {
            builder.Services.AddBulkEmail(o => o.FromAddress = "news@shop.example").UsePickupDirectory(o => o.Directory = _outbox).UseInMemoryStores();
        }

        if (addAdmin)
        {
            builder.Services.AddCrmAdmin();
        }

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    private static HttpClient ClientOf(WebApplication app, string? key)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.Urls.First()) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add(CrmApiKeyDefaults.HeaderName, key);
        }

        return client;
    }

    [Fact]
    public async Task The_pages_have_no_route_until_MapCrmAdmin_names_one()
    {
        await using var app = Build();
        app.MapRazorPages();
        await app.StartAsync();
        using var client = ClientOf(app, ManagerKey);
        foreach (var path in new[] { "/_crm-admin/tickets", "/CrmAdmin/Tickets", "/CrmAdmin/Tickets/Index", "/crm-admin/tickets", "/crm-admin/assets/site.css" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_page_requires_the_agents_policy_bulk_email_the_marketing_one_and_the_hosts_own_pages_map_before_or_after(bool razorPagesFirst)
    {
        await using var app = Build();
        if (razorPagesFirst)
        {
            app.MapRazorPages();
        }

        app.MapCrmAdmin("/support/");
        if (!razorPagesFirst)
        {
            app.MapRazorPages();
        }

        await app.StartAsync();
        using (var anonymous = ClientOf(app, null))
        {
            using var refused = await anonymous.GetAsync("/support/tickets");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var agent = ClientOf(app, AgentKey);
        using var marketing = ClientOf(app, MarketingKey);
        foreach (var page in new[] { "/support/tickets", "/support/contacts" })
        {
            using var response = await agent.GetAsync(page);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{page}: {response.StatusCode}");
        }

        foreach (var page in new[] { "/support/bulk-email", "/support/outbox" })
        {
            using var refused = await agent.GetAsync(page);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{page} as an agent: {refused.StatusCode}");
            using var allowed = await marketing.GetAsync(page);
            Assert.True(allowed.StatusCode == HttpStatusCode.OK, $"{page} as marketing: {allowed.StatusCode}");
        }

        using var home = await agent.GetAsync("/support");
        Assert.Equal("/support/tickets", home.Headers.Location?.OriginalString);
        var inbox = await agent.GetStringAsync("/support/tickets");
        Assert.Contains("href=\"/support/contacts\"", inbox, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"nav-bulk-email\"", inbox, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"nav-bulk-email\"", await marketing.GetStringAsync("/support/tickets"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_convention_on_what_MapCrmAdmin_returns_reaches_the_admin_pages_and_nothing_else()
    {
        await using var app = Build();
        app.MapRazorPages();
        app.MapCrmAdmin().RequireAuthorization(CrmPolicies.Managers);
        app.MapCrmChannels().Agents.RequireAuthorization(CrmPolicies.Agents);
        await app.StartAsync();

        using var agent = ClientOf(app, AgentKey);
        using var manager = ClientOf(app, ManagerKey);
        using (var refused = await agent.GetAsync("/crm-admin/tickets"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var allowed = await manager.GetAsync("/crm-admin/tickets"))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        // The API and the admin's stylesheet are not the admin's pages.
        using (var api = await agent.GetAsync("/tickets"))
        {
            Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        }

        using var css = await ClientOf(app, null).GetAsync("/crm-admin/assets/site.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
    }

    [Fact]
    public async Task Without_campaigns_the_campaign_pages_have_no_route()
    {
        await using var app = Build(campaigns: false);
        app.MapCrmAdmin();
        await app.StartAsync();
        using var manager = ClientOf(app, ManagerKey);
        using (var inbox = await manager.GetAsync("/crm-admin/tickets"))
        {
            Assert.Equal(HttpStatusCode.OK, inbox.StatusCode);
        }

        foreach (var page in new[] { "/crm-admin/bulk-email", "/crm-admin/outbox", "/crm-admin/contacts" })
        {
            using var response = await manager.GetAsync(page);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{page}: {response.StatusCode}");
        }

        Assert.DoesNotContain("nav-contacts", await manager.GetStringAsync("/crm-admin/tickets"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_policy_nobody_added_stops_the_host_at_start_naming_it()
    {
        await using var app = Build();
        app.MapCrmAdmin(configure: o => o.AgentsPolicy = "SupportDesk");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
        Assert.Contains("'SupportDesk'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapCrmAdmin_without_AddCrmAdmin_twice_or_with_a_route_pattern_throws_naming_the_fix()
    {
        await using (var bare = Build(addAdmin: false))
        {
            var missing = Assert.Throws<InvalidOperationException>(() => bare.MapCrmAdmin());
            Assert.Contains("AddCrmAdmin()", missing.Message, StringComparison.Ordinal);
        }

        await using var app = Build();
        Assert.Throws<ArgumentException>(() => app.MapCrmAdmin("/"));
        Assert.Throws<ArgumentException>(() => app.MapCrmAdmin("/admin/{tenant}"));
        app.MapCrmAdmin("/admin");
        var twice = Assert.Throws<InvalidOperationException>(() => app.MapCrmAdmin("/other"));
        Assert.Contains("'/admin'", twice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assets_are_public_cached_by_content_hash_and_revalidated_by_etag()
    {
        await using var app = Build();
        app.MapCrmAdmin();
        await app.StartAsync();
        using var manager = ClientOf(app, ManagerKey);
        var inbox = await manager.GetStringAsync("/crm-admin/tickets");
        var link = System.Text.RegularExpressions.Regex.Match(inbox, "href=\"(/crm-admin/assets/site\\.css\\?v=[0-9a-f]{16})\"");
        Assert.True(link.Success, "the layout links the stylesheet with its content hash");

        using var anonymous = ClientOf(app, null);
        using var css = await anonymous.GetAsync(link.Groups[1].Value);
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        Assert.Contains("immutable", css.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.Contains("--navy", await css.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var again = new HttpRequestMessage(HttpMethod.Get, "/crm-admin/assets/site.css");
        again.Headers.IfNoneMatch.Add(css.Headers.ETag!);
        using var notModified = await anonymous.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var unknown = await anonymous.GetAsync("/crm-admin/assets/..%2Fappsettings.json");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Pages_send_the_security_headers_and_no_cache_unless_the_host_set_its_own()
    {
        await using var app = Build();
        app.Use((context, next) =>
        {
            if (context.Request.Query.ContainsKey("framed"))
            {
                context.Response.Headers.XFrameOptions = "SAMEORIGIN";
            }

            return next(context);
        });
        app.MapCrmAdmin();
        await app.StartAsync();
        using var manager = ClientOf(app, ManagerKey);
        using var page = await manager.GetAsync("/crm-admin/tickets");
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.True(page.Headers.CacheControl?.NoStore);
        using var framed = await manager.GetAsync("/crm-admin/tickets?framed=1");
        Assert.Equal("SAMEORIGIN", framed.Headers.GetValues("X-Frame-Options").Single());
    }
}
