using System.Net;
using System.Text.RegularExpressions;
using Crm.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crm.Admin.Tests;

/// <summary>The admin's webhook pages: Managers only, the secret shown once, the delivery log with replay.</summary>
public sealed partial class WebhookPagesTests
{
    private const string AgentKey = "webhook-pages-agent-key-01";
    private const string MarketingKey = "webhook-pages-marketing-key";
    private const string ManagerKey = "webhook-pages-manager-key-1";

    private static WebApplication Build(bool webhooks)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddCrmApiKeys(o =>
        {
            o.Keys.Add(new CrmApiKey(AgentKey, CrmRoles.Agent));
            o.Keys.Add(new CrmApiKey(MarketingKey, CrmRoles.Marketing));
            o.Keys.Add(new CrmApiKey(ManagerKey, CrmRoles.Manager));
        });
        builder.Services.AddCrmChannels().AddChat().UseInMemoryStore();
        if (webhooks)
        {
            builder.Services.AddCrmWebhooks(o => o.AllowPrivateNetworks = true).UseInMemoryStore();
        }

        builder.Services.AddCrmAdmin();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapCrmAdmin();
        return app;
    }

    private static HttpClient ClientOf(WebApplication app, string key)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(app.Urls.First()) };
        client.DefaultRequestHeaders.Add(CrmApiKeyDefaults.HeaderName, key);
        return client;
    }

    [Fact]
    public async Task Managers_add_an_endpoint_see_its_secret_once_and_others_get_no_page_and_no_menu_entry()
    {
        await using var app = Build(webhooks: true);
        await app.StartAsync();
        foreach (var key in new[] { AgentKey, MarketingKey })
        {
            using var other = ClientOf(app, key);
            using var refused = await other.GetAsync("/crm-admin/webhooks");
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.DoesNotContain("nav-webhooks", await other.GetStringAsync("/crm-admin/tickets"), StringComparison.Ordinal);
        }

        using var manager = ClientOf(app, ManagerKey);
        var page = await manager.GetStringAsync("/crm-admin/webhooks");
        Assert.Contains("data-testid=\"nav-webhooks\"", page, StringComparison.Ordinal);
        Assert.Contains("webhooks-empty", page, StringComparison.Ordinal);

        // Refused input says why and adds nothing.
        using (var refused = await PostFormAsync(manager, "/crm-admin/webhooks?handler=Create", page, [("EndpointUrl", "http://127.0.0.1:9/hooks"), ("Events", "ticket.exploded")]))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("Unknown: ticket.exploded", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var created = await PostFormAsync(manager, "/crm-admin/webhooks?handler=Create", page, [("EndpointUrl", "http://127.0.0.1:9/hooks"), ("Events", "ticket.created"), ("Events", "campaign.completed"), ("Description", "Our ERP")]);
        // Post, redirect, get: reloading the page never adds the endpoint again; the secret rides the redirect once.
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var shown = await manager.GetStringAsync(created.Headers.Location!);
        var secret = Secret().Match(shown).Groups[1].Value;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        var list = await manager.GetStringAsync("/crm-admin/webhooks");
        Assert.Single(Regex.Matches(list, "data-testid=\"webhook-row\""));
        Assert.Contains("http://127.0.0.1:9/hooks", list, StringComparison.Ordinal);
        Assert.Contains("ticket.created, campaign.completed", list, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list, StringComparison.Ordinal);

        // The form posted without its anti-forgery token changes nothing.
        using (var forged = await manager.PostAsync("/crm-admin/webhooks?handler=Create", new FormUrlEncodedContent([new("EndpointUrl", "http://127.0.0.1:9/forged"), new("Events", "*")])))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        Assert.DoesNotContain("/forged", await manager.GetStringAsync("/crm-admin/webhooks"), StringComparison.Ordinal);
        using var log = await manager.GetAsync("/crm-admin/webhooks/1");
        Assert.Equal(HttpStatusCode.OK, log.StatusCode);
        Assert.Contains("webhook-deliveries-empty", await log.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_outgoing_webhooks_the_pages_have_no_route()
    {
        await using var app = Build(webhooks: false);
        await app.StartAsync();
        using var manager = ClientOf(app, ManagerKey);
        using var missing = await manager.GetAsync("/crm-admin/webhooks");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.DoesNotContain("nav-webhooks", await manager.GetStringAsync("/crm-admin/tickets"), StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, string page, (string Name, string Value)[] fields)
    {
        var token = FormToken().Match(page).Groups[1].Value;
        var form = fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).Append(new("__RequestVerificationToken", token));
        return client.PostAsync(path, new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [GeneratedRegex("data-testid=\"webhook-secret\">([^<]+)<")]
    private static partial Regex Secret();
}
