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

        var message = await CampaignMessageBuilder.BuildAsync(campaign, CampaignTemplate.Parse(campaign.Subject, campaign.Body), recipient, links, Now, CancellationToken.None);

        Assert.Equal("Hello Ann <script> Bcc: evil@example.com", message.Subject);
        Assert.Empty(message.Bcc);
        Assert.Contains("Dear Ann &lt;script&gt; in Berlin", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://crm.example/bulk-email/unsubscribe/5/9.token\">Unsubscribe</a>", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("<img src=\"https://crm.example/bulk-email/open/5/9.token\"", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("Unsubscribe (https://crm.example/bulk-email/unsubscribe/5/9.token)", message.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("/open/", message.TextBody, StringComparison.Ordinal);
        Assert.Equal("<https://crm.example/bulk-email/unsubscribe/5/9.token>, <mailto:unsubscribe@shop.example?subject=unsubscribe%205%209.token>", message.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        Assert.EndsWith("@shop.example", message.MessageId, StringComparison.Ordinal);
        Assert.Equal(Now, message.Date);
    }

    [Fact]
    public async Task A_body_that_places_the_unsubscribe_link_itself_gets_no_second_footer()
    {
        var body = "<p>Hi</p><p><a href=\"{{ unsubscribe_url }}\">Leave</a></p>";
        var campaign = new Campaign(1, "s", body, SegmentCriteria.All, CampaignStatus.Sending, Now, Now, Now, null, "a@shop.example", null, "https://crm.example", new CampaignStats(1, 0, 0, 0, 0, 0));
        var recipient = new ClaimedRecipient(2, 1, 3, "b@example.com", null, new Dictionary<string, string>(), 0);

        var message = await CampaignMessageBuilder.BuildAsync(campaign, CampaignTemplate.Parse("s", body), recipient, CampaignMessageBuilder.LinksFor("https://crm.example", 1, "2.t", "a@shop.example"), Now, CancellationToken.None);

        Assert.Contains("<a href=\"https://crm.example/bulk-email/unsubscribe/1/2.t\">Leave</a>", message.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain(">Unsubscribe</a>", message.HtmlBody, StringComparison.Ordinal);
    }
}
