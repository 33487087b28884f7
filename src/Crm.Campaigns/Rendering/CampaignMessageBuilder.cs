using Crm.Templates;
using Crm.Campaigns.Texts;
using System.Net;
using System.Text.RegularExpressions;
using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Tracking;
using MimeKit;

namespace Crm.Campaigns.Rendering;

/// <summary>
/// Builds the MIME message of one recipient: personalised subject and HTML, a text alternative, a visible
/// unsubscribe link, the open pixel, <c>List-Unsubscribe</c> (https and mailto),
/// <c>List-Unsubscribe-Post: List-Unsubscribe=One-Click</c> (RFC 8058), Message-ID and Date.
/// </summary>
internal static partial class CampaignMessageBuilder
{
    /// <summary>The header naming the campaign, so bounces and replies can be traced back.</summary>
    public const string CampaignHeader = "X-Crm-Campaign";

    /// <summary>The links of one recipient.</summary>
    /// <param name="OpenPixelUrl">The open-tracking pixel.</param>
    /// <param name="UnsubscribeUrl">The unsubscribe page (GET) and one-click endpoint (POST).</param>
    /// <param name="UnsubscribeMailto">The <c>mailto:</c> alternative.</param>
    /// <param name="Token">The recipient's reference token, which names them in the Message-ID and the return path.</param>
    public sealed record RecipientLinks(string OpenPixelUrl, string UnsubscribeUrl, string UnsubscribeMailto, string Token)
    {
        /// <summary>The recipient's tracking URL of each campaign link, by index; null sends links as written.</summary>
        public Func<int, string>? ClickUrl { get; init; }
    }

    /// <summary>The links for a recipient, with click tracking: each link's URL carries its own signed token.</summary>
    public static RecipientLinks LinksFor(string baseUrl, long campaignId, long recipientId, TrackingTokens tokens, string unsubscribeMailbox)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var root = baseUrl.TrimEnd('/');
        // One token per purpose: the pixel's URL, which image proxies and forwarded mail expose, cannot unsubscribe.
        var unsubscribe = tokens.Create(campaignId, recipientId, TrackingTokenPurpose.Unsubscribe);
        return new RecipientLinks(
            TrackingRoutes.Url(root, TrackingRoutes.Open, campaignId, tokens.Create(campaignId, recipientId, TrackingTokenPurpose.Open)),
            TrackingRoutes.Url(root, TrackingRoutes.Unsubscribe, campaignId, unsubscribe),
            $"mailto:{unsubscribeMailbox}?subject={Uri.EscapeDataString(MailtoUnsubscribe.Subject(campaignId, unsubscribe))}",
            tokens.Create(campaignId, recipientId, TrackingTokenPurpose.Reference))
        {
            ClickUrl = index => TrackingRoutes.Url(root, TrackingRoutes.Click, campaignId, tokens.CreateClick(campaignId, recipientId, index)),
        };
    }

    /// <summary>The links for a recipient token under a base URL.</summary>
    public static RecipientLinks LinksFor(string baseUrl, long campaignId, string token, string unsubscribeMailbox)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var root = baseUrl.TrimEnd('/');
        return new RecipientLinks(
            TrackingRoutes.Url(root, TrackingRoutes.Open, campaignId, token),
            TrackingRoutes.Url(root, TrackingRoutes.Unsubscribe, campaignId, token),
            $"mailto:{unsubscribeMailbox}?subject={Uri.EscapeDataString(MailtoUnsubscribe.Subject(campaignId, token))}",
            token);
    }

    /// <summary>Renders and assembles the message.</summary>
    /// <param name="campaign">The campaign.</param>
    /// <param name="template">Its parsed template.</param>
    /// <param name="recipient">Who it goes to.</param>
    /// <param name="links">The recipient's tracking links.</param>
    /// <param name="now">The Date header.</param>
    /// <param name="listId">The RFC 2919 list identifier (<c>List-Id</c>); <c>campaigns.{sender domain}</c> when null.</param>
    /// <param name="cancellationToken">Cancels the rendering.</param>
    public static ValueTask<MimeMessage> BuildAsync(Campaign campaign, CampaignTemplate template, ClaimedRecipient recipient, RecipientLinks links, DateTimeOffset now, string? listId, CancellationToken cancellationToken)
        => BuildAsync(campaign, template, recipient, links, now, listId, RecipientTexts.English, cancellationToken);

    /// <summary>The same, with the footer in <paramref name="texts"/>' words.</summary>
    public static async ValueTask<MimeMessage> BuildAsync(Campaign campaign, CampaignTemplate template, ClaimedRecipient recipient, RecipientLinks links, DateTimeOffset now, string? listId, RecipientTexts texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(links);
        var model = new TemplateModel(campaign.Id, recipient.Email, recipient.Name, recipient.Attributes, links.UnsubscribeUrl);
        var (subject, html, text) = await template.RenderAsync(model, cancellationToken).ConfigureAwait(false);

        // Decided from what was rendered, not from the template's text: a body that only mentions unsubscribe_url
        // (in a Liquid comment, an unused branch, an HTML comment) must not lose the visible link.
        var footer = LinksTo(html, links.UnsubscribeUrl)
            ? ""
            : $"<p style=\"font-size:12px;color:#666\">{WebUtility.HtmlEncode(texts.Footer)} <a href=\"{WebUtility.HtmlEncode(links.UnsubscribeUrl)}\">{WebUtility.HtmlEncode(texts.UnsubscribeLink)}</a></p>";
        var textFooter = text.Contains(links.UnsubscribeUrl, StringComparison.Ordinal) ? "" : $"\n\n{texts.Footer} {texts.UnsubscribeLink} ({links.UnsubscribeUrl})";
        var pixel = campaign.TrackOpens
            ? $"<img src=\"{WebUtility.HtmlEncode(links.OpenPixelUrl)}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0;width:1px;height:1px\">"
            : "";
        var headers = CampaignHeaders.For(campaign, listId);
        // The Message-ID names the recipient with the signed token, so a delivery report quoting it can be trusted.
        var message = headers.CreateMessage(
            subject,
            now,
            RecipientReference.MessageId(campaign.Id, links.Token, headers.FromDomain),
            new MailboxAddress(CampaignHeaders.SingleLine(recipient.Name) ?? "", recipient.Email),
            $"<{links.UnsubscribeUrl}>, <{links.UnsubscribeMailto}>");
        // Footer and pixel go in together, before </body>, as the links are rewritten; the footer's unsubscribe link is
        // never a campaign link, so it stays as it is.
        var fragment = string.Concat(footer, pixel);
        var bodyEnd = html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase) is var end and >= 0 ? end : html.Length;
        var clickUrl = campaign.TrackClicks ? links.ClickUrl : null;
        var rewritten = BuilderCache.Rent(html.Length + fragment.Length + 1024);
        if (!TrackedLinks.TryRewriteInto(rewritten, html, campaign.Links, clickUrl, bodyEnd, fragment, out _))
        {
            // Markup left open at </body>: the fragment goes in first and becomes part of it, as it would in any reader.
            TrackedLinks.TryRewriteInto(rewritten, html.Insert(bodyEnd, fragment), campaign.Links, clickUrl, html.Length + fragment.Length, "", out _);
        }

        // Encodings are chosen here, not by scanning every part at send time: quoted-printable keeps the parts
        // readable, survives any server without 8BITMIME, and wraps HTML's long lines.
        message.Body = SerializedBody.Create(text, textFooter, rewritten);
        BuilderCache.Return(rewritten);
        return message;
    }

    /// <summary>True when the HTML, outside comments, has a link (<c>href</c>) to <paramref name="url"/>.</summary>
    private static bool LinksTo(string html, string url)
    {
        var visible = HtmlComment().Replace(html, "");
        foreach (var candidate in new[] { url, WebUtility.HtmlEncode(url) }.Distinct())
        {
            if (HasHrefTo(visible, candidate))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when <paramref name="url"/> (any case) follows <c>href</c>, <c>=</c> and an optional quote, with any white
    /// space between. A scan, not a pattern built per message: each recipient's URL is different, so a regular
    /// expression made from it would be parsed anew for every message.
    /// </summary>
    private static bool HasHrefTo(string html, string url)
    {
        for (var at = html.IndexOf(url, StringComparison.OrdinalIgnoreCase); at >= 0; at = html.IndexOf(url, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            var i = at - 1;
            if (i >= 0 && html[i] is '"' or '\'')
            {
                i--;
            }

            while (i >= 0 && char.IsWhiteSpace(html[i]))
            {
                i--;
            }

            if (i < 0 || html[i] != '=')
            {
                continue;
            }

            i--;
            while (i >= 0 && char.IsWhiteSpace(html[i]))
            {
                i--;
            }

            if (i >= 3 && html.AsSpan(i - 3, 4).Equals("href", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex("<!--.*?-->", RegexOptions.Singleline)]
    private static partial Regex HtmlComment();
}
