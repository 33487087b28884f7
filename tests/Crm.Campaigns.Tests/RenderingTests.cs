using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Rendering;
using Crm.Campaigns.Segments;

namespace Crm.Campaigns.Tests;

public sealed class RenderingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Html_becomes_readable_text_with_link_targets()
    {
        var text = HtmlToText.Convert("<html><head><style>p{}</style></head><body><h1>Sale</h1><p>Up to <b>50%</b> off &amp; more.<br>Today</p><ul><li>Shoes</li><li>Hats</li></ul><p><a href=\"https://shop.example/a?b=1&amp;c=2\">Shop now</a></p><script>alert(1)</script></body></html>");

        Assert.Equal("Sale\n\nUp to 50% off & more.\nToday\n\n- Shoes\n- Hats\n\nShop now (https://shop.example/a?b=1&c=2)", text);
    }

    [Theory]
    [InlineData("Hi {{ contact.name", "<p>x</p>", "subject")]
    [InlineData("Hi", "{% for x in y %}", "body")]
    [InlineData("Hi", "{{ 'a' | }}", "body")]
    public void Broken_liquid_is_reported_per_field(string subject, string body, string field)
    {
        Assert.False(CampaignTemplate.TryParse(subject, body, out _, out var errors));
        Assert.Contains(field, errors.Keys);
    }

    [Fact]
    public async Task A_message_is_personalised_escaped_and_carries_the_compliance_headers()
    {
        var campaign = new Campaign(5, "Hello {{ contact.name }}\r\nBcc: evil@example.com", "<html><body><p>Dear {{ contact.name }} in {{ contact.city }}</p></body></html>", SegmentCriteria.All,
            CampaignStatus.Sending, Now, Now, Now, null, "news@shop.example", "Shop", "https://crm.example", new CampaignStats(1, 0, 0, 0, 0, 0));
        var recipient = new ClaimedRecipient(9, 5, 3, "ann@example.com", "Ann <script>", new Dictionary<string, string> { ["city"] = "Berlin" }, 0);
        var links = CampaignMessageBuilder.LinksFor("https://crm.example/", 5, "9.token", "unsubscribe@shop.example");

        var message = await CampaignMessageBuilder.BuildAsync(campaign, CampaignTemplate.Parse(campaign.Subject, campaign.Body), recipient, links, Now, null, CancellationToken.None);

        Assert.Equal("Hello Ann <script> Bcc: evil@example.com", message.Subject);
        Assert.Empty(message.Bcc);
        Assert.Contains("Dear Ann &lt;script&gt; in Berlin", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://crm.example/bulk-email/unsubscribe/5/9.token\">Unsubscribe</a>", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("<img src=\"https://crm.example/bulk-email/open/5/9.token\"", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("Unsubscribe (https://crm.example/bulk-email/unsubscribe/5/9.token)", message.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("/open/", message.TextBody, StringComparison.Ordinal);
        Assert.Equal("<https://crm.example/bulk-email/unsubscribe/5/9.token>, <mailto:unsubscribe@shop.example?subject=unsubscribe%205%209.token>", message.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        Assert.Equal("\"Shop\" <campaigns.shop.example>", message.Headers["List-Id"]);
        Assert.EndsWith("@shop.example", message.MessageId, StringComparison.Ordinal);
        Assert.Equal(Now, message.Date);
    }

    [Theory]
    [InlineData("<p><A HREF = '{{ unsubscribe_url }}'>Leave</A></p>", false)]
    [InlineData("<p><a href=\n\"{{ unsubscribe_url }}\">Leave</a></p>", false)]
    [InlineData("<p>Leave at {{ unsubscribe_url }}</p>", true)]
    [InlineData("<p data-href=\"x\">{{ unsubscribe_url }}</p>", true)]
    [InlineData("<!-- <a href=\"{{ unsubscribe_url }}\">x</a> --><p>Hi</p>", true)]
    public async Task Only_a_visible_href_to_the_unsubscribe_url_spares_the_footer(string body, bool footer)
    {
        var campaign = new Campaign(1, "s", body, SegmentCriteria.All, CampaignStatus.Sending, Now, Now, Now, null, "a@shop.example", null, "https://crm.example", new CampaignStats(1, 0, 0, 0, 0, 0));
        var recipient = new ClaimedRecipient(2, 1, 3, "b@example.com", null, new Dictionary<string, string>(), 0);

        var message = await CampaignMessageBuilder.BuildAsync(campaign, CampaignTemplate.Parse("s", body), recipient, CampaignMessageBuilder.LinksFor("https://crm.example", 1, "2.t", "a@shop.example"), Now, null, CancellationToken.None);

        Assert.Equal(footer, message.HtmlBody!.Contains(">Unsubscribe</a>", StringComparison.Ordinal));
    }

    // The pattern the scanner replaced, kept as the oracle of what an href is.
    private static readonly System.Text.RegularExpressions.Regex HrefPattern = new("""<a\b[^>]*?\bhref\s*=\s*(?:"(?<url>[^"]*)"|'(?<url>[^']*)')""", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    [Theory]
    [InlineData("<a href=\"https://a.example\">x</a><A HREF='https://b.example'>y</A>")]
    [InlineData("<abbr href=\"https://no.example\"><a data-href=\"https://no.example\" href = \"https://yes.example\">")]
    [InlineData("<a title=\"x>y\" href=\"https://after.example\"><a\thref\n=\n'https://tab.example'>")]
    [InlineData("<a href=https://unquoted.example><a href=\"https://unclosed.example>text<a href='https://next.example'>")]
    [InlineData("<a href=\"https://a.example/>still\">x</a><a hrefx=\"https://no.example\" xhref=\"https://no.example\">")]
    [InlineData("<a\nclass=\"btn\"\nhref=\"https://multi.example/?a=1&amp;b=2\"\n>Go</a><a href=\"\">empty</a>")]
    [InlineData("<a href=\"https://x.example\" href=\"https://second.example\"><a>")]
    [InlineData("<a")]
    [InlineData("text only, no tags <b>bold</b> < a href=\"https://spaced.example\">")]
    public void The_href_scanner_finds_exactly_what_the_pattern_found(string html) => AssertScannerMatchesPattern(html);

    [Fact]
    public void The_href_scanner_agrees_with_the_pattern_on_generated_markup()
    {
        string[] pieces = ["<a", "<A", " ", "\n", "href", "HREF", "=", "\"", "'", ">", "https://a.example/", "x", "<ab", "data-", "_", "<", "&amp;", "é"];
        var random = new Random(2026);
        for (var sample = 0; sample < 3_000; sample++)
        {
            var html = string.Concat(Enumerable.Range(0, random.Next(1, 40)).Select(_ => pieces[random.Next(pieces.Length)]));
            AssertScannerMatchesPattern(html);
        }
    }

    [Fact]
    public void Links_rewritten_with_the_footer_inserted_on_the_way_are_what_inserting_first_and_rewriting_gives()
    {
        // The builder inserts the footer and pixel while it rewrites, instead of copying the body to insert them first.
        // Oracle: insert, then rewrite. Markup left open at </body> is refused (the builder then does exactly that).
        string[] pieces = ["<a", "<A", " ", "\n", "href", "HREF", "=", "\"", "'", ">", "https://a.example/", "x", "<ab", "<", "</body>", "</BODY>", "<p>", "é"];
        const string Fragment = "<p>Leave <a href=\"https://u.example/1\">here</a></p><img src=\"https://u.example/p\">";
        var random = new Random(1126);
        var refused = 0;
        for (var sample = 0; sample < 3_000; sample++)
        {
            var html = string.Concat(Enumerable.Range(0, random.Next(1, 40)).Select(_ => pieces[random.Next(pieces.Length)]));
            var end = html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase) is var found and >= 0 ? found : html.Length;
            var expected = TrackedLinks.Rewrite(html.Insert(end, Fragment), ["https://a.example/"], index => $"https://crm.example/c/{index}");

            var output = new System.Text.StringBuilder("kept");
            if (TrackedLinks.TryRewriteInto(output, html, ["https://a.example/"], index => $"https://crm.example/c/{index}", end, Fragment, out _))
            {
                Assert.True(output.ToString() == "kept" + expected, $"{html}: expected {expected}, got {output.ToString()[4..]}");
            }
            else
            {
                Assert.Equal("kept", output.ToString());
                refused++;
            }
        }

        // Most generated markup is not left open at </body>: the fast path is what is tested, not the refusal.
        Assert.InRange(refused, 1, 2_000);
    }

    [Fact]
    public void Hostile_markup_without_tag_ends_is_scanned_to_the_end_and_finds_nothing()
    {
        var html = string.Concat(Enumerable.Repeat("<a href href= <a x href=", 50_000));

        Assert.Equal(-1, TrackedLinks.NextHref(html, 0).Start);
        Assert.Same(html, TrackedLinks.Rewrite(html, ["https://a.example/"], _ => "https://crm.example/c"));
    }

    private static void AssertScannerMatchesPattern(string html)
    {
        var expected = HrefPattern.Matches(html).Select(m => (m.Groups["url"].Index, m.Groups["url"].Length)).ToList();
        var found = new List<(int, int)>();
        for (var at = 0; TrackedLinks.NextHref(html, at) is var (start, length) && start >= 0; at = start + length + 1)
        {
            found.Add((start, length));
        }

        Assert.True(expected.SequenceEqual(found), $"{html}: pattern {string.Join(",", expected)}, scanner {string.Join(",", found)}");
    }

    [Fact]
    public void A_link_repeated_in_the_body_is_signed_once_per_message_and_every_copy_tracked()
    {
        var signed = new List<int>();
        var html = "<a href=\"https://shop.example/a\">1</a><a href=\"https://shop.example/b\">2</a><a href='https://shop.example/a'>3</a><a href=\"https://shop.example/a\">4</a>";

        var rewritten = TrackedLinks.Rewrite(html, ["https://shop.example/a", "https://shop.example/b"], index =>
        {
            signed.Add(index);
            return $"https://crm.example/click/{index}?t=1&u=2";
        });

        Assert.Equal([0, 1], signed);
        Assert.Equal(3, rewritten.Split("https://crm.example/click/0?t=1&amp;u=2").Length - 1);
        Assert.Single(rewritten.Split("https://crm.example/click/1?t=1&amp;u=2").Skip(1));
        Assert.DoesNotContain("https://shop.example/", rewritten, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_places_the_unsubscribe_link_itself_gets_no_second_footer()
    {
        var body = "<p>Hi</p><p><a href=\"{{ unsubscribe_url }}\">Leave</a></p>";
        var campaign = new Campaign(1, "s", body, SegmentCriteria.All, CampaignStatus.Sending, Now, Now, Now, null, "a@shop.example", null, "https://crm.example", new CampaignStats(1, 0, 0, 0, 0, 0));
        var recipient = new ClaimedRecipient(2, 1, 3, "b@example.com", null, new Dictionary<string, string>(), 0);

        var message = await CampaignMessageBuilder.BuildAsync(campaign, CampaignTemplate.Parse("s", body), recipient, CampaignMessageBuilder.LinksFor("https://crm.example", 1, "2.t", "a@shop.example"), Now, null, CancellationToken.None);

        Assert.Contains("<a href=\"https://crm.example/bulk-email/unsubscribe/1/2.t\">Leave</a>", message.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain(">Unsubscribe</a>", message.HtmlBody, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<p>Hi</p>{% comment %}{{ unsubscribe_url }}{% endcomment %}")]
    [InlineData("<p>Hi</p><!-- <a href=\"{{ unsubscribe_url }}\">x</a> -->")]
    [InlineData("<p>Hi</p>{% if false %}<a href=\"{{ unsubscribe_url }}\">Leave</a>{% endif %}")]
    [InlineData("<p>Hi, mention unsubscribe_url in prose</p>")]
    public async Task A_body_that_only_mentions_the_unsubscribe_url_still_gets_the_visible_link(string body)
    {
        var message = await BuildAsync(body);

        Assert.Contains("<a href=\"https://crm.example/bulk-email/unsubscribe/1/2.t\">Unsubscribe</a>", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("Unsubscribe (https://crm.example/bulk-email/unsubscribe/1/2.t)", message.TextBody, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{% include 'x' %}", "include")]
    [InlineData("{% render 'x' %}", "render")]
    [InlineData("{% if true %}{% for i in (1..2) %}{% include 'x' %}{% endfor %}{% endif %}", "include")]
    public void Tags_that_read_files_are_refused_when_parsing(string body, string tag)
    {
        Assert.False(CampaignTemplate.TryParse("s", body, out _, out var errors));
        Assert.Contains($"'{tag}'", errors["body"][0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{ 10 | divided_by: contact.divisor }}", "divide by zero")]
    [InlineData("{% for i in (1..contact.count) %}x{% endfor %}", "range (1..100000000)")]
    [InlineData("{% assign s = contact.seed %}{% for i in (1..30) %}{% assign s = s | append: s %}{% endfor %}", "longer than 1,000,000")]
    [InlineData("{{ contact.seed | replace: 'x', contact.big }}", "longer than 1,000,000")]
    [InlineData("{% capture c %}{% for i in (1..9000) %}{{ contact.seed }}{{ contact.seed }}{{ contact.seed }}{% endfor %}{% endcapture %}", "longer than 1,000,000")]
    public async Task A_template_that_fails_or_exceeds_a_limit_for_one_contact_throws_a_render_exception(string body, string reason)
    {
        var template = CampaignTemplate.Parse("s", body);
        var model = new TemplateModel(1, "a@example.com", "A", new Dictionary<string, string> { ["divisor"] = "0", ["count"] = "100000000", ["seed"] = new string('x', 40), ["big"] = new string('y', 40_000) }, "https://u");

        var failure = await Assert.ThrowsAsync<TemplateRenderException>(async () => await template.RenderAsync(model, CancellationToken.None));

        Assert.Contains(reason, failure.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("body", failure.Field);
    }

    [Fact]
    public async Task A_rendering_past_the_time_limit_is_stopped()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var template = CampaignTemplate.Parse("s", "{% for i in (1..1000) %}{{ i | plus: 1 }}{% endfor %}", TemplateLimits.Default with { Timeout = TimeSpan.FromSeconds(1) }, clock);
        var model = new TemplateModel(1, "a@example.com", "A", new Dictionary<string, string>(), "https://u");
        clock.AutoAdvanceAmount = TimeSpan.FromMilliseconds(10);

        var failure = await Assert.ThrowsAsync<TemplateRenderException>(async () => await template.RenderAsync(model, CancellationToken.None));

        Assert.Contains("longer than 1 s", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_subject_names_the_subject()
    {
        var template = CampaignTemplate.Parse("{{ 1 | divided_by: 0 }}", "<p>x</p>");

        var failure = await Assert.ThrowsAsync<TemplateRenderException>(async () => await template.RenderAsync(new TemplateModel(1, "a@example.com", null, new Dictionary<string, string>(), "https://u"), CancellationToken.None));

        Assert.Equal("subject", failure.Field);
    }

    [Fact]
    public async Task Header_fields_encoded_once_per_campaign_are_byte_for_byte_those_of_a_message_built_field_by_field()
    {
        // Non-ASCII and long values, so MimeKit's encoded words and folding are part of what is compared.
        var campaign = new Campaign(7, "{{ contact.greeting }} – unsere Angebote für diese Woche, nur für Sie und nur bis Sonntag", "<html><body><p>Hi</p></body></html>", SegmentCriteria.All,
            CampaignStatus.Sending, Now, Now, Now, null, "news@shop.example", "Schöner \"Laden\"", "https://crm.example", new CampaignStats(3, 0, 0, 0, 0, 0))
        {
            ReplyTo = "Kundendienst <help@shop.example>",
        };
        var template = CampaignTemplate.Parse(campaign.Subject, campaign.Body);
        var sends = new (ClaimedRecipient Recipient, DateTimeOffset Date)[]
        {
            (new(1, 7, 1, "zoe@example.com", "Zoë Ünal", new Dictionary<string, string> { ["greeting"] = "Hallo" }, 0), Now),
            (new(2, 7, 2, "bob@example.com", null, new Dictionary<string, string> { ["greeting"] = "Hallo" }, 0), Now.AddMilliseconds(400)),
            (new(3, 7, 3, "amy@example.com", "Amy, \"A\" Smith", new Dictionary<string, string> { ["greeting"] = "Guten Tag" }, 0), Now.AddSeconds(1)),
            (new(4, 7, 4, "max@example.com", "Max", new Dictionary<string, string> { ["greeting"] = "Hallo" }, 0), Now.AddSeconds(1).AddHours(-1).ToOffset(TimeSpan.FromHours(2))),
        };

        foreach (var (recipient, date) in sends)
        {
            var links = CampaignMessageBuilder.LinksFor("https://crm.example", 7, $"{recipient.RecipientId}.token", "unsubscribe@shop.example");
            using var message = await CampaignMessageBuilder.BuildAsync(campaign, template, recipient, links, date, "news.shop.example", CancellationToken.None);

            using var reference = new MimeKit.MimeMessage();
            var from = MimeKit.MailboxAddress.Parse(campaign.FromAddress);
            from.Name = campaign.FromName!;
            reference.From.Add(from);
            reference.To.Add(new MimeKit.MailboxAddress(recipient.Name ?? "", recipient.Email));
            reference.ReplyTo.Add(MimeKit.MailboxAddress.Parse(campaign.ReplyTo));
            reference.Subject = message.Subject!;
            reference.Date = date;
            reference.MessageId = message.MessageId!;
            reference.Headers.Add("List-Unsubscribe", $"<{links.UnsubscribeUrl}>, <{links.UnsubscribeMailto}>");
            reference.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
            reference.Headers.Add("List-Id", "\"Schöner Laden\" <news.shop.example>");
            reference.Headers.Add(CampaignMessageBuilder.CampaignHeader, "7");

            Assert.Equal(HeaderBlock(reference), HeaderBlock(message));
            Assert.StartsWith(recipient.Attributes["greeting"] + " – unsere", message.Subject, StringComparison.Ordinal);
            Assert.Equal(date.ToUnixTimeSeconds(), message.Date.ToUnixTimeSeconds()); // a Date field names the second
            Assert.Equal(recipient.Email, message.To.Mailboxes.Single().Address);
        }
    }

    private static string HeaderBlock(MimeKit.MimeMessage message)
    {
        using var buffer = new MemoryStream();
        message.Headers.WriteTo(new MimeKit.FormatOptions { NewLineFormat = MimeKit.NewLineFormat.Dos }, buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static async Task<MimeKit.MimeMessage> BuildAsync(string body)
    {
        var campaign = new Campaign(1, "s", body, SegmentCriteria.All, CampaignStatus.Sending, Now, Now, Now, null, "a@shop.example", null, "https://crm.example", new CampaignStats(1, 0, 0, 0, 0, 0));
        var recipient = new ClaimedRecipient(2, 1, 3, "b@example.com", null, new Dictionary<string, string>(), 0);
        return await CampaignMessageBuilder.BuildAsync(campaign, CampaignTemplate.Parse("s", body), recipient, CampaignMessageBuilder.LinksFor("https://crm.example", 1, "2.t", "a@shop.example"), Now, null, CancellationToken.None);
    }
}
