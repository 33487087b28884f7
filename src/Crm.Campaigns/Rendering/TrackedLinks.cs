using System.Net;
using System.Text.RegularExpressions;

namespace Crm.Campaigns.Rendering;

/// <summary>
/// Click tracking's links: found once in the template (static http(s) hrefs; a link built with Liquid differs per
/// recipient and is left as written), and swapped for tracking URLs in each rendered body.
/// </summary>
public static partial class TrackedLinks
{
    /// <summary>The most links one campaign tracks; links after these are sent as written.</summary>
    public const int MaxLinks = 100;

    /// <summary>The distinct trackable links of a template body, in order of first appearance.</summary>
    public static IReadOnlyList<string> Find(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var links = new List<string>();
        foreach (Match match in Href().Matches(body))
        {
            var url = WebUtility.HtmlDecode(match.Groups["url"].Value).Trim();
            if (IsTrackable(url) && !links.Contains(url, StringComparer.Ordinal))
            {
                links.Add(url);
                if (links.Count == MaxLinks)
                {
                    break;
                }
            }
        }

        return links;
    }

    /// <summary>Replaces each tracked link's href in a rendered body with the recipient's tracking URL for it.</summary>
    /// <param name="html">The rendered HTML.</param>
    /// <param name="links">The campaign's links by index.</param>
    /// <param name="trackingUrl">The tracking URL of a link index.</param>
    public static string Rewrite(string html, IReadOnlyList<string> links, Func<int, string> trackingUrl)
    {
        ArgumentNullException.ThrowIfNull(html);
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(trackingUrl);
        if (links.Count == 0)
        {
            return html;
        }

        // A link repeated in the body (logo, button, footer) is one tracked link: its URL is signed once per message.
        var encoded = new string?[links.Count];
        return Href().Replace(html, match =>
        {
            var index = IndexOf(links, WebUtility.HtmlDecode(match.Groups["url"].Value).Trim());
            if (index < 0)
            {
                return match.Value;
            }

            var group = match.Groups["url"];
            return string.Concat(
                match.Value.AsSpan(0, group.Index - match.Index),
                encoded[index] ??= WebUtility.HtmlEncode(trackingUrl(index)),
                match.Value.AsSpan(group.Index - match.Index + group.Length));
        });
    }

    private static int IndexOf(IReadOnlyList<string> links, string url)
    {
        for (var i = 0; i < links.Count; i++)
        {
            if (string.Equals(links[i], url, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    // Liquid in the href (a personalised link) or anything but http(s) (mailto:, tel:, #anchors) stays as written.
    private static bool IsTrackable(string url) =>
        !url.Contains("{{", StringComparison.Ordinal) && !url.Contains("{%", StringComparison.Ordinal)
        && Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    [GeneratedRegex("""<a\b[^>]*?\bhref\s*=\s*(?:"(?<url>[^"]*)"|'(?<url>[^']*)')""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Href();
}
