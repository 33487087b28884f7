using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Crm.Testing;

namespace Crm.EndToEnd.Tests;

/// <summary>Double opt-in through the public form, against the host and smtp-sink.</summary>
public sealed partial class DoubleOptInTests : IAsyncLifetime
{
    private readonly OwnedResources _owned = new();
    private SmtpSink _sink = null!;
    private HostProcess _host = null!;

    public async Task InitializeAsync()
    {
        _sink = await _owned.AddAsync(SmtpSink.StartAsync());
        _host = await _owned.AddAsync(HostProcess.StartAsync(CampaignApi.HostSettings(_sink.Port,
            ("Crm:Campaigns:Subscribe:Enabled", "true"), ("Crm:Campaigns:Subscribe:AllowedTags:0", "newsletter"), ("Crm:RateLimiting:SubscribePermitLimit", "1000"))));
    }

    public async Task DisposeAsync() => await _owned.DisposeAsync();

    [Fact]
    public async Task A_form_on_another_site_creates_a_pending_contact_who_gets_nothing_until_the_link_is_confirmed_by_post()
    {
        using var browser = new HttpClient { BaseAddress = _host.BaseAddress };
        using var manager = _host.CreateClient(CampaignApi.ManagerKey);
        var email = $"new.{Guid.NewGuid():N}@example.com";

        using var form = await browser.PostAsync("/subscribe", new FormUrlEncodedContent([new("email", email), new("name", "Nina"), new("tags", "newsletter")]));
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Contains("Check your inbox", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("pending", await StatusOfAsync(manager, email));

        var confirmation = await Poll.UntilAsync(() => Task.FromResult(SinkMessage.LoadAll(_sink).FirstOrDefault(m => m.EnvelopeRecipients.Contains(email))), m => m is not null, TimeSpan.FromSeconds(10), "the confirmation mail");
        Assert.Null(confirmation!.Message.Headers["List-Unsubscribe"]);
        var link = ConfirmLink().Match(confirmation.Message.TextBody!).Value;

        // A campaign to everyone now leaves the pending contact out.
        var api = new CampaignApi(manager);
        var before = await api.CreateAsync(new { subject = "Before", body = "<p>x</p>" });
        await api.WaitForStatusAsync(before, "completed", TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(SinkMessage.LoadAll(_sink), m => m.EnvelopeRecipients.Contains(email) && m.Message.Subject == "Before");

        // A mail scanner follows the link: the page shows a button and changes nothing.
        using (var scanned = await browser.GetAsync(link))
        {
            Assert.Equal(HttpStatusCode.OK, scanned.StatusCode);
            Assert.Contains("subscribe-confirm", await scanned.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal("pending", await StatusOfAsync(manager, email));
        using (var confirmed = await browser.PostAsync(link, null))
        {
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        }

        Assert.Equal("subscribed", await StatusOfAsync(manager, email));
        var contact = await ContactAsync(manager, email);
        Assert.Equal(["newsletter"], contact.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var after = await api.CreateAsync(new { subject = "After", body = "<p>x</p>", segment = new { tags = new[] { "newsletter" } } });
        await api.WaitForStatusAsync(after, "completed", TimeSpan.FromSeconds(30));
        Assert.Single(SinkMessage.LoadAll(_sink), m => m.EnvelopeRecipients.Contains(email) && m.Message.Subject == "After");
    }

    [Fact]
    public async Task An_unsubscribed_address_stays_unsubscribed_until_it_confirms_again()
    {
        using var browser = new HttpClient { BaseAddress = _host.BaseAddress };
        using var manager = _host.CreateClient(CampaignApi.ManagerKey);
        var email = $"back.{Guid.NewGuid():N}@example.com";
        await new CampaignApi(manager).ImportAsync([new { email }]);
        var api = new CampaignApi(manager);
        var id = await api.CreateAsync(new { subject = "Leave", body = "<p>x</p>" });
        await api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(30));
        var unsubscribe = System.Net.WebUtility.HtmlDecode(Regex.Match(SinkMessage.LoadAll(_sink).Single(m => m.EnvelopeRecipients.Contains(email)).Message.HtmlBody!, "\"(http://[^\"]+/bulk-email/unsubscribe/[^\"]+)\"").Groups[1].Value);
        using (var left = await browser.PostAsync(unsubscribe, null))
        {
            Assert.True(left.IsSuccessStatusCode);
        }

        using var again = await browser.PostAsJsonAsync("/subscribe", new { email });
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal("unsubscribed", await StatusOfAsync(manager, email));
        var confirmation = await Poll.UntilAsync(() => Task.FromResult(SinkMessage.LoadAll(_sink).FirstOrDefault(m => m.EnvelopeRecipients.Contains(email) && m.Message.Subject!.Contains("confirm", StringComparison.OrdinalIgnoreCase))), m => m is not null, TimeSpan.FromSeconds(10), "the confirmation mail");
        using (var confirmed = await browser.PostAsync(ConfirmLink().Match(confirmation!.Message.TextBody!).Value, null))
        {
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        }

        Assert.Equal("subscribed", await StatusOfAsync(manager, email));
    }

    [Fact]
    public async Task A_confirmation_link_works_once_and_never_undoes_a_later_unsubscribe()
    {
        using var browser = new HttpClient { BaseAddress = _host.BaseAddress };
        using var manager = _host.CreateClient(CampaignApi.ManagerKey);
        var email = $"once.{Guid.NewGuid():N}@example.com";
        using (var form = await browser.PostAsJsonAsync("/subscribe", new { email, tags = new[] { "newsletter" } }))
        {
            Assert.Equal(HttpStatusCode.Accepted, form.StatusCode);
        }

        var link = ConfirmLink().Match((await ConfirmationAsync(email)).Message.TextBody!).Value;
        using (var confirmed = await browser.PostAsync(link, null))
        {
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        }

        using (var reused = await browser.PostAsync(link, null))
        {
            Assert.Equal(HttpStatusCode.NotFound, reused.StatusCode);
        }

        // The person unsubscribes from a campaign; whoever still holds the old link cannot put them back on the list.
        var api = new CampaignApi(manager);
        var id = await api.CreateAsync(new { subject = "Once " + email, body = "<p>x</p>", segment = new { tags = new[] { "newsletter" } } });
        await api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(30));
        var unsubscribe = System.Net.WebUtility.HtmlDecode(Regex.Match(SinkMessage.LoadAll(_sink).Single(m => m.EnvelopeRecipients.Contains(email) && m.Message.Subject == "Once " + email).Message.HtmlBody!, "\"(http://[^\"]+/bulk-email/unsubscribe/[^\"]+)\"").Groups[1].Value);
        using (var left = await browser.PostAsync(unsubscribe, null))
        {
            Assert.True(left.IsSuccessStatusCode);
        }

        using (var replayed = await browser.PostAsync(link, null))
        {
            Assert.Equal(HttpStatusCode.NotFound, replayed.StatusCode);
        }

        Assert.Equal("unsubscribed", await StatusOfAsync(manager, email));
    }

    [Fact]
    public async Task A_forged_host_header_never_reaches_the_mailed_confirmation_link()
    {
        using var browser = new HttpClient { BaseAddress = _host.BaseAddress };
        var email = $"host.{Guid.NewGuid():N}@example.com";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/subscribe") { Content = JsonContent.Create(new { email }) };
        request.Headers.Host = "attacker.example";

        using var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var link = ConfirmLink().Match((await ConfirmationAsync(email)).Message.TextBody!).Value;
        Assert.StartsWith(new Uri(_host.BaseAddress, "/subscribe/confirm/").ToString(), link, StringComparison.Ordinal);
        Assert.DoesNotContain("attacker", link, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chat_visitor_is_not_a_marketing_recipient_until_an_import_says_so()
    {
        using var visitor = _host.CreateClient();
        using var manager = _host.CreateClient(CampaignApi.ManagerKey);
        var email = $"visitor.{Guid.NewGuid():N}@example.com";
        using (var chat = await visitor.PostAsJsonAsync("/tickets?channel=chat", new { name = "Vera", email, message = "Where is my parcel?" }))
        {
            Assert.Equal(HttpStatusCode.Created, chat.StatusCode);
        }

        Assert.Equal("none", await StatusOfAsync(manager, email));
        var api = new CampaignApi(manager);
        var everyone = await api.CreateAsync(new { subject = "Everyone " + email, body = "<p>x</p>" });
        await api.WaitForStatusAsync(everyone, "completed", TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(SinkMessage.LoadAll(_sink), m => m.EnvelopeRecipients.Contains(email));

        // An import that leaves consent out does not subscribe; one that does, does.
        using (var quiet = await manager.PostAsJsonAsync("/contacts", new[] { new { email, name = "Vera", subscribed = false } }))
        {
            Assert.Equal(HttpStatusCode.OK, quiet.StatusCode);
        }

        Assert.Equal("none", await StatusOfAsync(manager, email));
        await api.ImportAsync([new { email, name = "Vera" }]);
        Assert.Equal("subscribed", await StatusOfAsync(manager, email));
    }

    [Fact]
    public async Task The_form_reads_at_most_16_KiB_whatever_the_framing_and_answers_new_and_known_addresses_alike()
    {
        using var browser = new HttpClient { BaseAddress = _host.BaseAddress };
        using var manager = _host.CreateClient(CampaignApi.ManagerKey);
        // Chunked: no Content-Length to refuse up front, so the bytes read must be counted.
        var padding = new string('x', 20 * 1024);
        using var chunked = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes($$"""{"email":"chunked@example.com","name":"{{padding}}"}""")));
        chunked.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/subscribe") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using (var tooLarge = await browser.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        }

        var known = $"known.{Guid.NewGuid():N}@example.com";
        await new CampaignApi(manager).ImportAsync([new { email = known }]);
        var fresh = $"fresh.{Guid.NewGuid():N}@example.com";
        var answers = new List<(HttpStatusCode Status, string Body, TimeSpan Took)>();
        foreach (var email in new[] { known, fresh })
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using var response = await browser.PostAsJsonAsync("/subscribe", new { email });
            answers.Add((response.StatusCode, await response.Content.ReadAsStringAsync(), watch.Elapsed));
        }

        // The same answer, and neither quicker than the floor that hides the few milliseconds a new address costs.
        Assert.Equal(answers[0].Status, answers[1].Status);
        Assert.Equal(answers[0].Body, answers[1].Body);
        Assert.All(answers, a => Assert.True(a.Took >= TimeSpan.FromMilliseconds(140), $"answered in {a.Took}"));
        // The new address still gets its confirmation, sent off the request path.
        Assert.Equal("pending", await StatusOfAsync(manager, fresh));
        Assert.Contains("/subscribe/confirm/", (await ConfirmationAsync(fresh)).Message.TextBody, StringComparison.Ordinal);
    }

    private async Task<SinkMessage> ConfirmationAsync(string email) => (await Poll.UntilAsync(
        () => Task.FromResult(SinkMessage.LoadAll(_sink).FirstOrDefault(m => m.EnvelopeRecipients.Contains(email) && m.Message.TextBody?.Contains("/subscribe/confirm/", StringComparison.Ordinal) == true)),
        m => m is not null, TimeSpan.FromSeconds(10), "the confirmation mail"))!;

    [Fact]
    public async Task Bad_addresses_disallowed_tags_and_tampered_links_are_refused()
    {
        using var browser = new HttpClient { BaseAddress = _host.BaseAddress };

        using var badEmail = await browser.PostAsJsonAsync("/subscribe", new { email = "not an address" });
        using var badTag = await browser.PostAsJsonAsync("/subscribe", new { email = "tags@example.com", tags = new[] { "vip" } });
        using var badForm = await browser.PostAsync("/subscribe", new FormUrlEncodedContent([new("email", "x")]));
        using var text = await browser.PostAsync("/subscribe", new StringContent("email=a@example.com"));
        using var tamperedGet = await browser.GetAsync("/subscribe/confirm/1.9999999999.bmV3c2xldHRlcg.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        using var tamperedPost = await browser.PostAsync("/subscribe/confirm/1.9999999999.bmV3c2xldHRlcg.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", null);

        Assert.Equal(HttpStatusCode.BadRequest, badEmail.StatusCode);
        Assert.Contains("email", await badEmail.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badTag.StatusCode);
        Assert.Contains("newsletter", await badTag.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badForm.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, tamperedGet.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, tamperedPost.StatusCode);
        Assert.DoesNotContain(SinkMessage.LoadAll(_sink), m => m.EnvelopeRecipients.Contains("tags@example.com"));
    }

    private static async Task<string?> StatusOfAsync(HttpClient manager, string email) => (await ContactAsync(manager, email)).GetProperty("marketingStatus").GetString();

    private static async Task<JsonElement> ContactAsync(HttpClient manager, string email)
    {
        var page = await manager.GetFromJsonAsync<JsonElement>("/contacts?pageSize=200");
        return page.GetProperty("items").EnumerateArray().Single(c => c.GetProperty("email").GetString() == email);
    }

    [GeneratedRegex(@"http://\S+/subscribe/confirm/\S+")]
    private static partial Regex ConfirmLink();
}
