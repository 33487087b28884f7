using Crm.Campaigns.DependencyInjection;
using Crm.Campaigns.Endpoints;
using Crm.Channels.DependencyInjection;
using Crm.Channels.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crm.EndToEnd.Tests;

/// <summary>The packages wired by an integrator's own minimal app, in process.</summary>
public sealed class LibraryWiringTests
{
    private static WebApplication BuildApp()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddAuthorization();
        builder.Services.AddCrmChannels().AddChat().UseInMemoryStore();
        builder.Services.AddBulkEmail(o => o.FromAddress = "news@shop.example")
            .UsePickupDirectory(o => o.Directory = Path.Combine(Path.GetTempPath(), "crm-wiring-" + Guid.NewGuid().ToString("N")))
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
        Assert.Contains("MapCrmChannels().Queries.RequireAuthorization", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("POST /tickets ", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Campaign_and_contact_endpoints_need_a_decision_too_while_tracking_stays_public()
    {
        await using var app = BuildApp();
        app.MapCrmChannels().Queries.RequireAuthorization();
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
        app.MapCrmChannels().Queries.RequireAuthorization();
        var bulkEmail = app.MapBulkEmail();
        bulkEmail.Campaigns.RequireAuthorization();
        bulkEmail.ContactsWrite.RequireAuthorization();
        bulkEmail.ContactsRead.AllowAnonymous();

        await app.StartAsync();
        await app.StopAsync();
    }
}
