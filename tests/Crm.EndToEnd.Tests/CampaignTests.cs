using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Crm.Testing;
using MimeKit;

namespace Crm.EndToEnd.Tests;

/// <summary>One host sending to one real smtp-sink; each test uses its own tag so segments do not overlap.</summary>
public sealed class CampaignHostFixture : IAsyncLifetime
{
    public SmtpSink Sink { get; private set; } = null!;

    public HostProcess Host { get; private set; } = null!;

    private readonly OwnedResources _owned = new();

    public async Task InitializeAsync()
    {
        try
        {
            Sink = await _owned.AddAsync(SmtpSink.StartAsync());
            Host = await _owned.AddAsync(HostProcess.StartAsync(CampaignApi.HostSettings(Sink.Port)));
        }
        catch
        {
            await _owned.DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync() => await _owned.DisposeAsync();
}

public sealed partial class CampaignTests(CampaignHostFixture fixture) : IDisposable, IClassFixture<CampaignHostFixture>
{
    private readonly HttpClient _manager = fixture.Host.CreateClient(CampaignApi.ManagerKey);
    private readonly HttpClient _public = fixture.Host.CreateClient();

    public void Dispose()
    {
        _manager.Dispose();
        _public.Dispose();
    }
    private CampaignApi Api => new(_manager);

    [Fact]
    public async Task A_segment_campaign_reaches_exactly_the_subscribed_members_personalised_with_compliance_headers()
    {
        var tag = NewTag();
        await Api.ImportAsync(
        [
            new { email = $"ann.{tag}@example.com", name = "Ann", tags = new[] { tag, "vip" }, attributes = new Dictionary<string, string> { ["city"] = "Berlin" } },
            new { email = $"BOB.{tag}@example.com", name = "Bob <b>", tags = new[] { tag, "vip" }, attributes = new Dictionary<string, string> { ["city"] = "Paris" } },
            new { email = $"cat.{tag}@example.com", name = "Cat", tags = new[] { tag }, attributes = new Dictionary<string, string> { ["city"] = "Rome" } },
            new { email = $"dan.{tag}@example.com", name = "Dan", tags = new[] { "vip" }, attributes = new Dictionary<string, string>() },
        ]);
        using var count = await _manager.PostAsJsonAsync("/bulk-email/recipient-count", new { segment = new { tags = new[] { tag, "vip" } } });
        Assert.Equal(2, (await count.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("recipients").GetInt32());

        var id = await Api.CreateAsync(new
        {
            subject = "News for {{ contact.name }}",
            body = "<html><body><h1>Hello {{ contact.name }}</h1><p>Our {{ contact.city }} store opens soon. <a href=\"https://shop.example/\">Visit</a></p></body></html>",
            segment = new { tags = new[] { tag, "vip" } },
        });
        var campaign = await Api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(30));

        Assert.Equal(2, campaign.GetProperty("recipients").GetInt32());
        Assert.Equal(2, campaign.GetProperty("sent").GetInt32());
        var messages = MessagesOf(id);
        Assert.Equal([$"ann.{tag}@example.com", $"bob.{tag}@example.com"], messages.SelectMany(m => m.EnvelopeRecipients).Order());
        var bob = messages.Single(m => m.EnvelopeRecipients[0].StartsWith("bob", StringComparison.Ordinal)).Message;
        Assert.Equal("News for Bob <b>", bob.Subject);
        Assert.Contains("Hello Bob &lt;b&gt;", bob.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("Our Paris store opens soon", bob.TextBody, StringComparison.Ordinal);
        Assert.Contains("Visit (https://shop.example/)", bob.TextBody, StringComparison.Ordinal);
        Assert.Equal("List-Unsubscribe=One-Click", bob.Headers["List-Unsubscribe-Post"]);
        Assert.Equal("\"Crm.Libraries\" <campaigns.shop.example>", bob.Headers["List-Id"]);
        var listUnsubscribe = bob.Headers["List-Unsubscribe"];
        Assert.Matches(@"^<http://127\.0\.0\.1:\d+/bulk-email/unsubscribe/\d+/[^>]+>, <mailto:[^>]+>$", Regex.Replace(listUnsubscribe ?? "", @"\s+", " ").Trim());
        Assert.False(string.IsNullOrEmpty(bob.MessageId));
        Assert.NotEqual(DateTimeOffset.MinValue, bob.Date);
        Assert.Contains(">Unsubscribe</a>", bob.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("/bulk-email/open/", bob.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Whoever_sees_the_pixels_url_cannot_unsubscribe_the_recipient_with_it()
    {
        var (id, messages) = await SendToNewSegmentAsync(1);
        var pixel = PixelUrl(messages[0]);
        var unsubscribe = UnsubscribeUrl(messages[0]);
        // An image proxy or a forwarded mail shows the pixel's URL: its token, moved onto the unsubscribe path.
        var pixelToken = pixel[(pixel.LastIndexOf('/') + 1)..];
        var forged = unsubscribe[..(unsubscribe.LastIndexOf('/') + 1)] + pixelToken;
        Assert.NotEqual(unsubscribe, forged);

        using var page = await _public.GetAsync(forged);
        using var post = await _public.PostAsync(forged, null);

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        var campaign = await Api.GetAsync(id);
        Assert.Equal(0, campaign.GetProperty("unsubscribeCount").GetInt32());
        // The real link still works; a Message-ID's token is a third one.
        using var real = await _public.PostAsync(unsubscribe, null);
        Assert.True(real.IsSuccessStatusCode);
        Assert.DoesNotContain(pixelToken, messages[0].Message.MessageId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_with_a_line_break_is_refused_when_the_campaign_is_created()
    {
        using var response = await _manager.PostAsJsonAsync("/bulk-email", new
        {
            subject = "Header injection",
            body = "<p><a href=\"https://shop.example/a&#13;&#10;Set-Cookie: x=1\">Shop</a></p>",
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("control character", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_pixel_counts_unique_and_total_opens_and_forged_tokens_count_nothing()
    {
        var (id, messages) = await SendToNewSegmentAsync(2);
        var pixel = PixelUrl(messages[0]);
        var forgedToken = Regex.Replace(pixel, @"\.[A-Za-z0-9_-]+$", ".AAAAAAAAAAAAAAAAAAAAAA");
        var otherCampaign = Regex.Replace(pixel, @"/open/\d+/", "/open/999999/");

        // Forged hits first: opens are written in order, so once the valid ones are counted any forged one would be too.
        foreach (var forged in new[] { forgedToken, otherCampaign, pixel + "x", new Uri(fixture.Host.BaseAddress, $"/bulk-email/open/{id}/garbage").ToString() })
        {
            using var hit = await _public.GetAsync(forged);
            Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
            Assert.Equal("image/gif", hit.Content.Headers.ContentType?.MediaType);
        }

        for (var i = 0; i < 3; i++)
        {
            using var hit = await _public.GetAsync(pixel);
            Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
            Assert.Equal("image/gif", hit.Content.Headers.ContentType?.MediaType);
            Assert.True(hit.Headers.CacheControl?.NoStore);
        }

        var campaign = await Api.WaitForAsync(id, c => c.GetProperty("totalOpens").GetInt32() >= 3, TimeSpan.FromSeconds(10));
        Assert.Equal(1, campaign.GetProperty("openCount").GetInt32());
        Assert.Equal(3, campaign.GetProperty("totalOpens").GetInt32());
    }

    [Fact]
    public async Task Concurrent_pixel_hits_are_counted_exactly()
    {
        var (id, messages) = await SendToNewSegmentAsync(3);
        var pixels = messages.Select(PixelUrl).ToList();

        await Parallel.ForEachAsync(Enumerable.Range(0, 90), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            using var hit = await _public.GetAsync(pixels[i % 3], ct);
            Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
        });

        // One more hit after all 90 answered: opens are written in order, so when it is counted every earlier one is,
        // and an over-count would show as more than 91.
        using (var sentinel = await _public.GetAsync(pixels[0]))
        {
            Assert.Equal(HttpStatusCode.OK, sentinel.StatusCode);
        }

        var campaign = await Api.WaitForAsync(id, c => c.GetProperty("totalOpens").GetInt32() >= 91, TimeSpan.FromSeconds(10));
        Assert.Equal(3, campaign.GetProperty("openCount").GetInt32());
        Assert.Equal(91, campaign.GetProperty("totalOpens").GetInt32());
    }

    [Fact]
    public async Task Get_and_head_never_unsubscribe_post_does_once_and_the_next_campaign_skips_them()
    {
        var tag = NewTag();
        var (id, messages) = await SendToNewSegmentAsync(2, tag);
        var leaver = messages[0];
        var link = UnsubscribeUrl(leaver);

        using (var page = await _public.GetAsync(link))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<form method=\"post\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var head = await _public.SendAsync(new HttpRequestMessage(HttpMethod.Head, link)))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }

        Assert.Equal(0, (await Api.GetAsync(id)).GetProperty("unsubscribeCount").GetInt32());

        // RFC 8058 one-click, as a mailbox provider sends it, then the page's own form: counted once.
        using (var oneClick = await _public.PostAsync(link, new StringContent("List-Unsubscribe=One-Click", Encoding.ASCII, "application/x-www-form-urlencoded")))
        {
            Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        }

        using (var again = await _public.PostAsync(link, new FormUrlEncodedContent([])))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        using (var forged = await _public.PostAsync(Regex.Replace(link, @"\.[A-Za-z0-9_-]+$", ".AAAAAAAAAAAAAAAAAAAAAA"), new FormUrlEncodedContent([])))
        {
            Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        }

        Assert.Equal(1, (await Api.GetAsync(id)).GetProperty("unsubscribeCount").GetInt32());

        var next = await Api.CreateAsync(new { subject = "Second", body = "<p>Again</p>", segment = new { tags = new[] { tag } } });
        var second = await Api.WaitForStatusAsync(next, "completed", TimeSpan.FromSeconds(30));
        Assert.Equal(1, second.GetProperty("recipients").GetInt32());
        Assert.DoesNotContain(leaver.EnvelopeRecipients[0], MessagesOf(next).SelectMany(m => m.EnvelopeRecipients));
    }

    [Fact]
    public async Task Invalid_campaigns_are_400_naming_the_field_and_create_nothing()
    {
        var before = await Api.CountAsync();
        var cases = new (object Body, string Field)[]
        {
            (new { body = "<p>x</p>" }, "subject"),
            (new { subject = "s", body = "<p>x</p>", segment = new { tags = new[] { "" } } }, "segment.tags[0]"),
            (new { subject = "s", body = "<p>x</p>", segment = new { attributes = new Dictionary<string, string> { ["bad name!"] = "v" } } }, "segment.attributes.bad name!"),
            (new { subject = "s", body = "<p>x</p>", segment = new { createdAfter = "2026-02-01T00:00:00Z", createdBefore = "2026-01-01T00:00:00Z" } }, "segment.createdBefore"),
            (new { subject = "s", body = "<p>{% if contact.name %}unclosed</p>" }, "body"),
            (new { subject = "{{ contact.name", body = "<p>x</p>" }, "subject"),
            (new { subject = "s", body = new string('x', 600 * 1024) }, "body"),
        };

        foreach (var (body, field) in cases)
        {
            using var response = await _manager.PostAsJsonAsync("/bulk-email", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"expected an error for {field}: {problem}");
        }

        using (var malformed = await _manager.PostAsync("/bulk-email", new StringContent("{\"subject\":", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        }

        using (var oversized = await _manager.PostAsync("/bulk-email", new StringContent("{\"subject\":\"s\",\"body\":\"" + new string('x', 9 * 1024 * 1024) + "\"}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversized.StatusCode);
        }

        using (var form = await _manager.PostAsync("/bulk-email", new StringContent("subject=s", Encoding.UTF8, "application/x-www-form-urlencoded")))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        }

        Assert.Equal(before, await Api.CountAsync());
    }

    [Fact]
    public async Task Agents_and_anonymous_callers_may_not_use_the_campaign_api()
    {
        using var agent = fixture.Host.CreateClient(CampaignApi.AgentKey);
        using var asAgent = await agent.GetAsync("/bulk-email");
        using var anonymous = await _public.PostAsJsonAsync("/bulk-email", new { subject = "s", body = "b" });
        using var agentContacts = await agent.GetAsync("/contacts");
        using var agentImport = await agent.PostAsJsonAsync("/contacts", new[] { new { email = "x@example.com" } });

        Assert.Equal(HttpStatusCode.Forbidden, asAgent.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, agentContacts.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, agentImport.StatusCode);
    }

    [Fact]
    public async Task Marketing_imports_contacts_and_runs_a_campaign_end_to_end()
    {
        using var marketing = fixture.Host.CreateClient(CampaignApi.MarketingKey);
        var api = new CampaignApi(marketing);
        var tag = NewTag();

        await api.ImportAsync([new { email = $"mk.{tag}@example.com", tags = new[] { tag } }]);
        var id = await api.CreateAsync(new { subject = "From marketing", body = "<p>x</p>", segment = new { tags = new[] { tag } } });
        var campaign = await api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(30));
        using var list = await marketing.GetAsync("/bulk-email");

        Assert.Equal(1, campaign.GetProperty("sent").GetInt32());
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var page = await list.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(page.GetProperty("items").EnumerateArray(), c => c.GetProperty("id").GetInt64() == id);
        Assert.True(page.GetProperty("total").GetInt32() >= 1);
        Assert.Single(MessagesOf(id));
    }

    [Fact]
    public async Task An_agent_may_not_pause_resume_or_cancel_and_the_campaign_is_untouched()
    {
        await Api.ImportAsync([new { email = $"held.{NewTag()}@example.com" }]);
        var id = await Api.CreateAsync(new { subject = "Later", body = "<p>x</p>", scheduledAt = DateTimeOffset.UtcNow.AddDays(2) });
        using var agent = fixture.Host.CreateClient(CampaignApi.AgentKey);

        foreach (var action in new[] { "pause", "resume", "cancel" })
        {
            using var response = await agent.PostAsync($"/bulk-email/{id}/{action}", null);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        Assert.Equal("scheduled", (await Api.GetAsync(id)).GetProperty("status").GetString());
        using var cancel = await _manager.PostAsync($"/bulk-email/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
    }

    [Fact]
    public async Task Contacts_upsert_by_email_and_report_rejected_rows_with_reasons_and_store_none_of_them()
    {
        var tag = NewTag();
        using var first = await _manager.PostAsJsonAsync("/contacts", new object[]
        {
            new { email = $"Eve.{tag}@Example.com", name = "Eve", tags = new[] { tag } },
            new { email = "not-an-email", name = "Nope", tags = new[] { tag } },
            new { email = $"fay.{tag}@example.com", phone = "12345", tags = new[] { tag } },
        });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var firstResult = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, firstResult.GetProperty("created").GetInt32());
        var rejected = firstResult.GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal([1, 2], rejected.Select(r => r.GetProperty("row").GetInt32()));
        Assert.Contains("email is not a valid address", rejected[0].GetProperty("reasons").ToString(), StringComparison.Ordinal);
        Assert.Contains("phone", rejected[1].GetProperty("reasons").ToString(), StringComparison.Ordinal);
        var stored = await _manager.GetFromJsonAsync<JsonElement>($"/contacts?tag={tag}");
        Assert.Equal([$"eve.{tag}@example.com"], stored.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("email").GetString()));

        using var second = await _manager.PostAsJsonAsync("/contacts", new[] { new { email = $"eve.{tag}@example.com", name = "Eve Updated", tags = new[] { tag, "gold" } } });
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var secondResult = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, secondResult.GetProperty("created").GetInt32());
        Assert.Equal(1, secondResult.GetProperty("updated").GetInt32());

        var page = await _manager.GetFromJsonAsync<JsonElement>($"/contacts?tag={tag}&tag=gold");
        var eve = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal("Eve Updated", eve.GetProperty("name").GetString());
        Assert.Equal($"eve.{tag}@example.com", eve.GetProperty("email").GetString());
    }

    [Theory]
    [InlineData("[{\"email\": ", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("{\"email\": \"a@example.com\"}", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("[{\"email\": [1]}]", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("email\na@example.com", "text/csv", HttpStatusCode.UnsupportedMediaType)]
    public async Task A_malformed_contacts_import_is_refused_and_stores_nothing(string body, string mediaType, HttpStatusCode expected)
    {
        var before = (await _manager.GetFromJsonAsync<JsonElement>("/contacts?pageSize=1")).GetProperty("total").GetInt32();

        using var response = await _manager.PostAsync("/contacts", new StringContent(body, Encoding.UTF8, mediaType));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("System.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, (await _manager.GetFromJsonAsync<JsonElement>("/contacts?pageSize=1")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_import_over_the_row_limit_is_refused_and_stores_nothing()
    {
        var tag = NewTag();

        using var response = await _manager.PostAsJsonAsync("/contacts", Enumerable.Range(0, 10_001).Select(i => new { email = $"many{i}.{tag}@example.com", tags = new[] { tag } }));

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, response.StatusCode.ToString());
        Assert.Equal(0, (await _manager.GetFromJsonAsync<JsonElement>($"/contacts?tag={tag}")).GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("2020-01-01T00:00:00Z", "scheduledAt")]
    [InlineData("2999-01-01T00:00:00Z", "scheduledAt")]
    [InlineData("not a date", null)]
    public async Task A_campaign_scheduled_in_the_past_too_far_ahead_or_not_a_date_is_refused(string scheduledAt, string? field)
    {
        var before = await Api.CountAsync();

        using var response = await _manager.PostAsync("/bulk-email", new StringContent($"{{\"subject\":\"s\",\"body\":\"<p>b</p>\",\"scheduledAt\":\"{scheduledAt}\"}}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        if (field is not null)
        {
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        }

        Assert.Equal(before, await Api.CountAsync());
    }

    [Fact]
    public async Task A_recipient_count_for_a_bad_segment_is_400_naming_the_field()
    {
        using var response = await _manager.PostAsJsonAsync("/bulk-email/recipient-count", new { segment = new { tags = new[] { "" }, createdAfter = "2026-02-01T00:00:00Z", createdBefore = "2026-01-01T00:00:00Z" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Any());
    }

    [Fact]
    public async Task Unsubscribe_pages_with_forged_tokens_are_404_and_change_nothing()
    {
        var (id, messages) = await SendToNewSegmentAsync(1);
        var real = UnsubscribeUrl(messages[0]);
        var forged = Regex.Replace(real, @"\.[A-Za-z0-9_-]+$", ".AAAAAAAAAAAAAAAAAAAAAA");

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head, HttpMethod.Post })
        {
            using var response = await _public.SendAsync(new HttpRequestMessage(method, forged));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.Equal(0, (await Api.GetAsync(id)).GetProperty("unsubscribeCount").GetInt32());
        Assert.True(await FindContactIdAsync(messages[0].EnvelopeRecipients[0], "subscribed") > 0);
    }

    [Fact]
    public async Task Pause_holds_sending_until_resume_and_resume_finishes_with_one_message_per_recipient()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var host = await HostProcess.StartAsync(CampaignApi.HostSettings(sink.Port, ("Crm:Campaigns:MessagesPerSecond", "40"), ("Crm:Campaigns:BatchSize", "10")));
        using var manager = host.CreateClient(CampaignApi.ManagerKey);
        var api = new CampaignApi(manager);
        await api.ImportAsync(Enumerable.Range(0, 120).Select(i => new { email = $"p{i}@example.com", name = $"P{i}" }));

        var id = await api.CreateAsync(new { subject = "Paced", body = "<p>Hi {{ contact.name }}</p>" });
        await api.WaitForAsync(id, c => c.GetProperty("sent").GetInt32() >= 10, TimeSpan.FromSeconds(30));
        using (var pause = await manager.PostAsync($"/bulk-email/{id}/pause", null))
        {
            Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
        }

        var held = await api.WaitUntilHeldAsync(id, "paused", TimeSpan.FromSeconds(30));
        Assert.True(held.GetProperty("sent").GetInt32() < 120);
        Assert.Equal(held.GetProperty("sent").GetInt32(), SinkMessage.LoadAll(sink).Count);

        using (var resume = await manager.PostAsync($"/bulk-email/{id}/resume", null))
        {
            Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        }

        var completed = await api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(60));
        Assert.Equal(120, completed.GetProperty("sent").GetInt32());
        var perRecipient = SinkMessage.LoadAll(sink).SelectMany(m => m.EnvelopeRecipients).GroupBy(r => r).ToList();
        Assert.Equal(120, perRecipient.Count);
        Assert.All(perRecipient, g => Assert.Single(g));
    }

    [Fact]
    public async Task A_completed_campaign_cannot_be_resumed_paused_or_cancelled()
    {
        var (id, _) = await SendToNewSegmentAsync(1);

        foreach (var action in new[] { "resume", "pause", "cancel" })
        {
            using var response = await _manager.PostAsync($"/bulk-email/{id}/{action}", null);
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        }

        Assert.Equal("completed", (await Api.GetAsync(id)).GetProperty("status").GetString());
        using var missing = await _manager.PostAsync("/bulk-email/999999/pause", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Cancel_stops_sending_for_good_and_cannot_be_resumed()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var host = await HostProcess.StartAsync(CampaignApi.HostSettings(sink.Port, ("Crm:Campaigns:MessagesPerSecond", "40"), ("Crm:Campaigns:BatchSize", "10")));
        using var manager = host.CreateClient(CampaignApi.ManagerKey);
        var api = new CampaignApi(manager);
        await api.ImportAsync(Enumerable.Range(0, 120).Select(i => new { email = $"c{i}@example.com" }));

        var id = await api.CreateAsync(new { subject = "Cancelled", body = "<p>Never mind</p>" });
        await api.WaitForAsync(id, c => c.GetProperty("sent").GetInt32() >= 5, TimeSpan.FromSeconds(30));
        using (var cancel = await manager.PostAsync($"/bulk-email/{id}/cancel", null))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        var held = await api.WaitUntilHeldAsync(id, "cancelled", TimeSpan.FromSeconds(30));
        Assert.True(held.GetProperty("sent").GetInt32() < 120);
        using (var resume = await manager.PostAsync($"/bulk-email/{id}/resume", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, resume.StatusCode);
        }

        Assert.Equal(held.GetProperty("sent").GetInt32(), SinkMessage.LoadAll(sink).Count);
    }

    [Fact]
    public async Task A_campaign_may_send_as_an_allowed_domain_only()
    {
        var tag = NewTag();
        await Api.ImportAsync([new { email = $"sender.{tag}@example.com", tags = new[] { tag } }]);
        var before = await Api.CountAsync();

        using var spoofed = await _manager.PostAsJsonAsync("/bulk-email", new { subject = "Hi", body = "<p>x</p>", fromAddress = "ceo@bank.example", segment = new { tags = new[] { tag } } });
        Assert.Equal(HttpStatusCode.BadRequest, spoofed.StatusCode);
        Assert.Contains("shop.example", (await spoofed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("fromAddress")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await Api.CountAsync());

        var id = await Api.CreateAsync(new { subject = "Hi", body = "<p>x</p>", fromAddress = "Promo@Shop.Example", fromName = "Promotions", segment = new { tags = new[] { tag } } });
        await Api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(30));
        var from = Assert.Single(MessagesOf(id)).Message.From.Mailboxes.Single();
        Assert.Equal("Promotions", from.Name);
        Assert.Equal("promo@shop.example", from.Address, ignoreCase: true);
    }

    [Fact]
    public async Task A_campaign_scheduled_for_later_is_created_201_and_waits()
    {
        var tag = NewTag();
        await Api.ImportAsync([new { email = $"later.{tag}@example.com", tags = new[] { tag } }]);

        using var response = await _manager.PostAsJsonAsync("/bulk-email", new { subject = "Later", body = "<p>Soon</p>", segment = new { tags = new[] { tag } }, scheduledAt = DateTimeOffset.UtcNow.AddDays(1) });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        // A campaign due now, created after it, completing shows the dispatcher has looked at what is due since.
        await SendToNewSegmentAsync(1);
        var campaign = await Api.GetAsync(id);
        Assert.Equal("scheduled", campaign.GetProperty("status").GetString());
        Assert.Equal(0, campaign.GetProperty("sent").GetInt32());
        Assert.Empty(MessagesOf(id));
        using var cancel = await _manager.PostAsync($"/bulk-email/{id}/cancel", null);
        Assert.Equal("cancelled", (await cancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_chat_claiming_a_contacts_email_does_not_rename_the_contact_campaigns_address()
    {
        var tag = NewTag();
        await Api.ImportAsync([new { email = $"named.{tag}@example.com", name = "Ann", tags = new[] { tag } }, new { email = $"nameless.{tag}@example.com", tags = new[] { tag } }]);
        foreach (var email in new[] { $"named.{tag}@example.com", $"nameless.{tag}@example.com" })
        {
            using var chat = await _public.PostAsJsonAsync("/tickets?channel=chat", new { name = "Idiot", email, message = "hi" });
            Assert.Equal(HttpStatusCode.Created, chat.StatusCode);
        }

        var id = await Api.CreateAsync(new { subject = "Dear {{ contact.name | default: 'client' }}", body = "<p>x</p>", segment = new { tags = new[] { tag } } });
        await Api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(30));

        var subjects = MessagesOf(id).ToDictionary(m => m.EnvelopeRecipients[0], m => m.Message.Subject);
        Assert.Equal("Dear Ann", subjects[$"named.{tag}@example.com"]);
        Assert.Equal("Dear client", subjects[$"nameless.{tag}@example.com"]);
    }

    [Fact]
    public async Task Clearing_a_suppression_refuses_unsubscribed_contacts_agents_bad_input_and_unknown_ids()
    {
        var (_, messages) = await SendToNewSegmentAsync(1);
        using (var unsubscribe = await _public.PostAsync(UnsubscribeUrl(messages[0]), null))
        {
            Assert.True(unsubscribe.IsSuccessStatusCode);
        }

        var email = messages[0].EnvelopeRecipients[0];
        var contactId = await FindContactIdAsync(email);

        using var unsubscribed = await _manager.PatchAsJsonAsync($"/contacts/{contactId}", new { marketingStatus = "subscribed" });
        using var agent = fixture.Host.CreateClient(CampaignApi.AgentKey);
        using var byAgent = await agent.PatchAsJsonAsync($"/contacts/{contactId}", new { marketingStatus = "subscribed" });
        using var badValue = await _manager.PatchAsJsonAsync($"/contacts/{contactId}", new { marketingStatus = "bounced" });
        using var unknown = await _manager.PatchAsJsonAsync("/contacts/987654321", new { marketingStatus = "subscribed" });

        Assert.Equal(HttpStatusCode.Conflict, unsubscribed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byAgent.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badValue.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(contactId, await FindContactIdAsync(email, "unsubscribed"));
    }

    private async Task<long> FindContactIdAsync(string email, string? status = null)
    {
        for (var page = 1; ; page++)
        {
            var items = (await _manager.GetFromJsonAsync<JsonElement>($"/contacts?pageSize=200&page={page}")).GetProperty("items");
            if (items.GetArrayLength() == 0)
            {
                throw new InvalidOperationException($"No contact {email}.");
            }

            foreach (var contact in items.EnumerateArray())
            {
                if (contact.GetProperty("email").GetString() == email && (status is null || contact.GetProperty("marketingStatus").GetString() == status))
                {
                    return contact.GetProperty("id").GetInt64();
                }
            }
        }
    }

    private async Task<(long Id, IReadOnlyList<SinkMessage> Messages)> SendToNewSegmentAsync(int size, string? tag = null)
    {
        tag ??= NewTag();
        await Api.ImportAsync(Enumerable.Range(0, size).Select(i => new { email = $"r{i}.{tag}@example.com", name = $"R{i}", tags = new[] { tag } }));
        var id = await Api.CreateAsync(new { subject = "Hello", body = "<html><body><p>Hi {{ contact.name }}</p></body></html>", segment = new { tags = new[] { tag } } });
        await Api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(30));
        var messages = MessagesOf(id);
        Assert.Equal(size, messages.Count);
        return (id, messages);
    }

    private List<SinkMessage> MessagesOf(long campaignId)
        => SinkMessage.LoadAll(fixture.Sink).Where(m => m.Message.Headers["X-Crm-Campaign"] == campaignId.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

    private static string PixelUrl(SinkMessage message) => LinkIn(message.Message, "open");

    private static string UnsubscribeUrl(SinkMessage message) => LinkIn(message.Message, "unsubscribe");

    private static string LinkIn(MimeMessage message, string kind)
        => System.Net.WebUtility.HtmlDecode(Regex.Match(message.HtmlBody ?? "", $"\"(http://[^\"]+/bulk-email/{kind}/[^\"]+)\"").Groups[1].Value);

    private static string NewTag() => "t" + Guid.NewGuid().ToString("N")[..10];
}
