using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Crm.Testing;

namespace Crm.EndToEnd.Tests;

public sealed class EngagementHostFixture : IAsyncLifetime
{
    private readonly OwnedResources _owned = new();

    public SmtpSink Sink { get; private set; } = null!;

    public HostProcess Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        try
        {
            Sink = await _owned.AddAsync(SmtpSink.StartAsync());
            // Opens right after the send count as people here, so the user-agent rules are tested on their own.
            Host = await _owned.AddAsync(HostProcess.StartAsync(CampaignApi.HostSettings(Sink.Port, ("Crm:Campaigns:MachineOpenWindow", "00:00:00"))));
        }
        catch
        {
            await _owned.DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync() => await _owned.DisposeAsync();
}

/// <summary>Click tracking, tracking switches, Reply-To and machine opens, against the host and smtp-sink.</summary>
public sealed partial class EngagementTrackingTests(EngagementHostFixture fixture) : IClassFixture<EngagementHostFixture>, IDisposable
{
    private const string Body = """
        <p>Hello {{ contact.name }}</p>
        <p><a href="https://shop.example/sale?utm_source=crm&amp;x=1">Sale</a> and <a href='https://shop.example/new'>new</a></p>
        <p><a href="https://shop.example/sale?utm_source=crm&amp;x=1">Sale again</a> <a href="https://shop.example/u/{{ contact.email }}">yours</a>
        <a href="mailto:help@shop.example">mail us</a> <a href="{{ unsubscribe_url }}">leave</a></p>
        """;

    private readonly HttpClient _manager = fixture.Host.CreateClient(CampaignApi.ManagerKey);
    private readonly HttpClient _public = new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.Host.BaseAddress };

    public void Dispose()
    {
        _manager.Dispose();
        _public.Dispose();
    }

    [Fact]
    public async Task Static_links_become_signed_click_links_that_redirect_and_count_per_campaign_and_per_link()
    {
        var (id, messages) = await SendAsync(new { replyTo = "Answers@Shop.Example" }, "ada", "bob");
        var ada = messages.Single(m => m.EnvelopeRecipients.Single().StartsWith("ada", StringComparison.Ordinal)).Message;

        var clickLinks = ClickLinks(ada.HtmlBody!);
        Assert.Equal(3, clickLinks.Count);
        Assert.Contains("https://shop.example/u/ada", ada.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("mailto:help@shop.example", ada.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("/bulk-email/unsubscribe/", ada.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("/bulk-email/open/", ada.HtmlBody, StringComparison.Ordinal);
        Assert.Equal("answers@shop.example", ada.ReplyTo.Mailboxes.Single().Address);

        using var first = await _public.GetAsync(clickLinks[0]);
        using var again = await _public.GetAsync(clickLinks[2]);
        using var other = await _public.GetAsync(clickLinks[1]);

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal("https://shop.example/sale?utm_source=crm&x=1", first.Headers.Location?.ToString());
        Assert.Equal("https://shop.example/sale?utm_source=crm&x=1", again.Headers.Location?.ToString());
        Assert.Equal("https://shop.example/new", other.Headers.Location?.ToString());
        var campaign = await _manager.GetFromJsonAsync<JsonElement>($"/bulk-email/{id}");
        Assert.Equal(1, campaign.GetProperty("clickCount").GetInt32());
        Assert.Equal(3, campaign.GetProperty("totalClicks").GetInt32());
        Assert.Equal(0.5, campaign.GetProperty("clickRate").GetDouble());
        Assert.Equal("answers@shop.example", campaign.GetProperty("replyTo").GetString());
        var links = campaign.GetProperty("links").EnumerateArray().ToList();
        Assert.Equal(["https://shop.example/sale?utm_source=crm&x=1", "https://shop.example/new"], links.Select(l => l.GetProperty("url").GetString()));
        Assert.Equal([1, 1], links.Select(l => l.GetProperty("uniqueClicks").GetInt32()));
        Assert.Equal([2, 1], links.Select(l => l.GetProperty("totalClicks").GetInt32()));
    }

    [Fact]
    public async Task A_tampered_or_foreign_click_token_is_404_and_redirects_nowhere()
    {
        var (id, messages) = await SendAsync(new { }, "cy");
        var link = ClickLinks(messages.Single().Message.HtmlBody!)[0];
        var (otherId, _) = await SendAsync(new { }, "dee");

        var attempts = new[]
        {
            Regex.Replace(link, @"\.[A-Za-z0-9_-]+$", ".AAAAAAAAAAAAAAAAAAAAAA"),
            Regex.Replace(link, @"/click/\d+/", $"/click/{otherId}/"),
            Regex.Replace(link, @"(/click/\d+/\d+)\.0\.", "$1.1."),
            link + "x",
            new Uri(fixture.Host.BaseAddress, $"/bulk-email/click/{id}/garbage").ToString(),
            new Uri(fixture.Host.BaseAddress, $"/bulk-email/click/{id}/1.0.{new string('A', 22)}?url=https://evil.example").ToString(),
        };
        foreach (var attempt in attempts)
        {
            using var response = await _public.GetAsync(attempt);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Null(response.Headers.Location);
        }

        Assert.Equal(0, (await _manager.GetFromJsonAsync<JsonElement>($"/bulk-email/{id}")).GetProperty("totalClicks").GetInt32());
    }

    [Fact]
    public async Task With_tracking_switched_off_the_mail_has_no_pixel_and_its_links_as_written()
    {
        var (id, messages) = await SendAsync(new { trackOpens = false, trackClicks = false }, "eve");
        var html = messages.Single().Message.HtmlBody!;

        Assert.DoesNotContain("/bulk-email/open/", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/bulk-email/click/", html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://shop.example/sale?utm_source=crm&amp;x=1\"", html, StringComparison.Ordinal);
        Assert.Contains("/bulk-email/unsubscribe/", html, StringComparison.Ordinal);
        var campaign = await _manager.GetFromJsonAsync<JsonElement>($"/bulk-email/{id}");
        Assert.False(campaign.GetProperty("trackOpens").GetBoolean());
        Assert.False(campaign.GetProperty("trackClicks").GetBoolean());
    }

    [Fact]
    public async Task Opens_by_privacy_proxies_and_scanners_are_machine_opens_outside_the_open_rate()
    {
        var (id, messages) = await SendAsync(new { }, "fay");
        var pixel = System.Net.WebUtility.HtmlDecode(Regex.Match(messages.Single().Message.HtmlBody!, "\"(http://[^\"]+/bulk-email/open/[^\"]+)\"").Groups[1].Value);

        foreach (var agent in new[] { "Mozilla/5.0", "", "Mozilla/5.0 (compatible; Barracuda Sentinel)", "python-requests/2.31" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, pixel);
            if (agent.Length > 0)
            {
                request.Headers.TryAddWithoutValidation("User-Agent", agent);
            }

            using var response = await _public.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var person = new HttpRequestMessage(HttpMethod.Get, pixel))
        {
            person.Headers.TryAddWithoutValidation("User-Agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko)");
            using var response = await _public.SendAsync(person);
        }

        var campaign = await new CampaignApi(_manager).WaitForAsync(id, c => c.GetProperty("machineOpens").GetInt32() + c.GetProperty("totalOpens").GetInt32() == 5, TimeSpan.FromSeconds(10));
        Assert.Equal(4, campaign.GetProperty("machineOpens").GetInt32());
        Assert.Equal(1, campaign.GetProperty("openCount").GetInt32());
        Assert.Equal(1, campaign.GetProperty("totalOpens").GetInt32());
    }

    [Fact]
    public async Task Engagement_segments_count_people_not_scanners_and_a_resend_goes_to_exactly_the_non_openers_still_subscribed()
    {
        var (id, messages) = await SendAsync(new { }, "ann", "ben", "cat", "dan", "eve");
        MimeKit.MimeMessage MailOf(string name) => messages.Single(m => m.EnvelopeRecipients.Single().StartsWith(name + ".", StringComparison.Ordinal)).Message;
        string Pixel(string name) => System.Net.WebUtility.HtmlDecode(Regex.Match(MailOf(name).HtmlBody!, "\"(http://[^\"]+/bulk-email/open/[^\"]+)\"").Groups[1].Value);
        async Task OpenAsync(string name, string userAgent)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Pixel(name));
            request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
            using var response = await _public.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // ann opens in a mail client; ben's mail is fetched only by a scanner; cat clicks the second link (no pixel);
        // dan does nothing; eve unsubscribes without opening.
        await OpenAsync("ann", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko)");
        await OpenAsync("ben", "Mozilla/5.0 (compatible; Barracuda Sentinel)");
        using (var click = await _public.GetAsync(ClickLinks(MailOf("cat").HtmlBody!)[1]))
        {
            Assert.Equal(HttpStatusCode.Redirect, click.StatusCode);
            Assert.Equal("https://shop.example/new", click.Headers.Location?.OriginalString);
        }

        var unsubscribe = Regex.Match(MailOf("eve").Headers["List-Unsubscribe"] ?? "", "<(http[^>]+)>").Groups[1].Value;
        using (var oneClick = await _public.PostAsync(unsubscribe, new StringContent("List-Unsubscribe=One-Click", System.Text.Encoding.ASCII, "application/x-www-form-urlencoded")))
        {
            Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        }

        await new CampaignApi(_manager).WaitForAsync(id, c => c.GetProperty("openCount").GetInt32() == 1 && c.GetProperty("machineOpens").GetInt32() == 1, TimeSpan.FromSeconds(10));
        async Task<int> CountAsync(object segment)
        {
            using var response = await _manager.PostAsJsonAsync("/bulk-email/recipient-count", new { segment });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("recipients").GetInt32();
        }

        Assert.Equal(3, await CountAsync(new { engagement = new object[] { new { @event = "received", campaignId = id }, new { @event = "not_opened", campaignId = id } } }));
        Assert.Equal(1, await CountAsync(new { engagement = new object[] { new { @event = "opened", campaignId = id } } }));
        Assert.Equal(1, await CountAsync(new { engagement = new object[] { new { @event = "clicked", campaignId = id, link = 1 } } }));
        Assert.Equal(0, await CountAsync(new { engagement = new object[] { new { @event = "clicked", campaignId = id, link = 0 } } }));
        Assert.Equal(2, await CountAsync(new { engagement = new object[] { new { @event = "received", campaignId = id } }, anyOf = new object[] { new { engagement = new object[] { new { @event = "opened", campaignId = id } } }, new { engagement = new object[] { new { @event = "clicked", campaignId = id } } } } }));
        // Hostile values are parameters, never SQL; a malformed condition is a 400 naming it.
        Assert.Equal(0, await CountAsync(new { tags = new[] { "x' OR '1'='1" }, engagement = new object[] { new { @event = "received", campaignId = id } } }));
        foreach (var bad in new object[]
        {
            new { engagement = new object[] { new { @event = "opened); DROP TABLE contacts; --", campaignId = id } } },
            new { engagement = new object[] { new { @event = "clicked", link = 1 } } },
            new { engagement = new object[] { new { @event = "opened", withinDays = 0 } } },
            new { anyOf = new object[] { new { anyOf = new object[] { new { } } } } },
        })
        {
            using var response = await _manager.PostAsJsonAsync("/bulk-email/recipient-count", new { segment = bad });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("segment.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var resend = await _manager.PostAsJsonAsync($"/bulk-email/{id}/resend", new { subject = "Did you miss this, {{ contact.name }}?" });
        Assert.Equal(HttpStatusCode.Created, resend.StatusCode);
        var followUp = (await resend.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await new CampaignApi(_manager).WaitForStatusAsync(followUp, "completed", TimeSpan.FromSeconds(30));
        var resent = SinkMessage.LoadAll(fixture.Sink).Where(m => m.Message.Headers["X-Crm-Campaign"] == followUp.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(["ben", "cat", "dan"], resent.Select(m => m.EnvelopeRecipients.Single().Split('.')[0]).Order(StringComparer.Ordinal));
        Assert.Equal("Did you miss this, ben?", resent.Single(m => m.EnvelopeRecipients.Single().StartsWith("ben.", StringComparison.Ordinal)).Message.Subject);
        Assert.Contains("Sale again", resent[0].Message.HtmlBody, StringComparison.Ordinal);

        // Only a completed campaign has known non-openers; an unknown one is 404; a follow-up needs a subject.
        using (var scheduled = await _manager.PostAsJsonAsync("/bulk-email", new { subject = "Later", body = "<p>Later</p>", scheduledAt = DateTimeOffset.UtcNow.AddDays(30), segment = new { tags = new[] { "nobody-" + Guid.NewGuid().ToString("N") } } }))
        {
            var later = (await scheduled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            using var notCompleted = await _manager.PostAsJsonAsync($"/bulk-email/{later}/resend", new { subject = "Again" });
            Assert.Equal(HttpStatusCode.Conflict, notCompleted.StatusCode);
        }

        using (var unknown = await _manager.PostAsJsonAsync("/bulk-email/999999999/resend", new { subject = "Again" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var noSubject = await _manager.PostAsJsonAsync($"/bulk-email/{id}/resend", new { subject = "" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noSubject.StatusCode);
        }
    }

    [Fact]
    public async Task Saved_segments_are_listed_with_a_live_count_named_once_validated_and_for_marketing_only()
    {
        var tag = "s" + Guid.NewGuid().ToString("N")[..10];
        var name = $"Lapsed {tag}";
        await new CampaignApi(_manager).ImportAsync([new { email = $"one.{tag}@example.com", tags = new[] { tag } }]);
        using (var saved = await _manager.PostAsJsonAsync("/segments", new { name, segment = new { tags = new[] { tag } } }))
        {
            Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
            var body = await saved.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(1, body.GetProperty("recipients").GetInt32());
            Assert.Equal("api-key:Manager", body.GetProperty("owner").GetString());
        }

        // Counted live: a contact imported later is in the list's count.
        await new CampaignApi(_manager).ImportAsync([new { email = $"two.{tag}@example.com", tags = new[] { tag } }]);
        var listed = (await _manager.GetFromJsonAsync<JsonElement>("/segments")).EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);
        Assert.Equal(2, listed.GetProperty("recipients").GetInt32());
        Assert.Equal(tag, listed.GetProperty("segment").GetProperty("tags")[0].GetString());

        using (var twice = await _manager.PostAsJsonAsync("/segments", new { name, segment = new { } }))
        {
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        }

        foreach (var bad in new object[] { new { name = "", segment = new { } }, new { name = "x\ny", segment = new { } }, new { name = "ok", segment = new { engagement = new[] { new { @event = "nope" } } } } })
        {
            using var refused = await _manager.PostAsJsonAsync("/segments", bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        using (var agent = fixture.Host.CreateClient(CampaignApi.AgentKey))
        using (var forbidden = await agent.GetAsync("/segments"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        using (var deleted = await _manager.DeleteAsync($"/segments/{listed.GetProperty("id").GetInt64()}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var again = await _manager.DeleteAsync($"/segments/{listed.GetProperty("id").GetInt64()}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }
    }

    [Fact]
    public async Task A_reply_to_that_is_not_an_address_is_400()
    {
        using var response = await _manager.PostAsJsonAsync("/bulk-email", new { subject = "x", body = "<p>x</p>", replyTo = "not an address" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("replyTo", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<(long Id, List<SinkMessage> Messages)> SendAsync(object options, params string[] names)
    {
        var api = new CampaignApi(_manager);
        var tag = "e" + Guid.NewGuid().ToString("N")[..10];
        await api.ImportAsync(names.Select(n => new { email = $"{n}.{tag}@example.com", name = n, tags = new[] { tag } }));
        var request = JsonSerializer.SerializeToNode(options)!.AsObject();
        request["subject"] = "Engagement";
        request["body"] = Body.Replace("https://shop.example/u/{{ contact.email }}", "https://shop.example/u/{{ contact.name }}", StringComparison.Ordinal);
        request["segment"] = JsonSerializer.SerializeToNode(new { tags = new[] { tag } });
        var id = await api.CreateAsync(request);
        await api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(30));
        var messages = SinkMessage.LoadAll(fixture.Sink).Where(m => m.Message.Headers["X-Crm-Campaign"] == id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(names.Length, messages.Count);
        return (id, messages);
    }

    private static List<string> ClickLinks(string html) =>
        ClickHref().Matches(html).Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();

    [GeneratedRegex("href=[\"'](http://[^\"']+/bulk-email/click/[^\"']+)[\"']")]
    private static partial Regex ClickHref();
}
