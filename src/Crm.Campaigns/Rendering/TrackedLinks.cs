using Crm.Templates;
using System.Globalization;
using System.Net;
using System.Text;

namespace Crm.Campaigns.Rendering;

/// <summary>
/// Click tracking's links: found once in the template (static http(s) hrefs; a link built with Liquid differs per
/// recipient and is left as written), and swapped for tracking URLs in each rendered body.
/// </summary>
internal static class TrackedLinks
{
    /// <summary>The most links one campaign tracks; links after these are sent as written.</summary>
    public const int MaxLinks = 100;

    /// <summary>The distinct trackable links of a template body, in order of first appearance.</summary>
    public static IReadOnlyList<string> Find(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var links = new List<string>();
        for (var at = 0; NextHref(body, at) is var (start, length) && start >= 0; at = start + length + 1)
        {
            var url = WebUtility.HtmlDecode(body.Substring(start, length)).Trim();
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

    /// <summary>The first http(s) link whose decoded href holds a control character (CR, LF, tab…), shortened, or null.</summary>
    internal static string? FindUnsafe(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        for (var at = 0; NextHref(body, at) is var (start, length) && start >= 0; at = start + length + 1)
        {
            var url = WebUtility.HtmlDecode(body.Substring(start, length)).Trim();
            if (url.StartsWith("http", StringComparison.OrdinalIgnoreCase) && url.Any(char.IsControl))
            {
                var shown = new string(url.Select(c => char.IsControl(c) ? '␤' : c).ToArray());
                return shown.Length > 80 ? shown[..80] + "…" : shown;
            }
        }

        return null;
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
        var rewritten = BuilderCache.Rent(html.Length + 1024);
        TryRewriteInto(rewritten, html, links, trackingUrl, html.Length, "", out var replaced);
        var result = replaced ? rewritten.ToString() : html;
        BuilderCache.Return(rewritten);
        return result;
    }

    /// <summary>
    /// Appends <paramref name="html"/> to <paramref name="output"/> with each tracked link's href replaced by the
    /// recipient's tracking URL for it (as written when <paramref name="trackingUrl"/> is null), and
    /// <paramref name="fragment"/> inserted at <paramref name="insertAt"/>: what rewriting the HTML with the fragment
    /// already inserted gives, without that copy of the body. Only the fragment's own links (the footer's unsubscribe link,
    /// the open pixel, never campaign links) could be found differently around it, and they are left as written either way.
    /// </summary>
    /// <returns>
    /// False, with nothing appended, when a quoted href runs into <paramref name="insertAt"/>: inserted first, the
    /// fragment would be part of it. The caller then inserts the fragment first and rewrites that.
    /// </returns>
    internal static bool TryRewriteInto(StringBuilder output, string html, IReadOnlyList<string> links, Func<int, string>? trackingUrl, int insertAt, string fragment, out bool replaced)
    {
        replaced = false;
        var started = output.Length;
        // A link repeated in the body (logo, button, footer) is one tracked link: its URL is signed once per message.
        string?[]? encoded = null;
        var copied = 0;
        for (var at = 0; trackingUrl is not null && links.Count > 0 && NextHref(html, at) is var (start, length) && start >= 0; at = start + length + 1)
        {
            if (fragment.Length > 0 && start <= insertAt && insertAt <= start + length)
            {
                output.Length = started;
                replaced = false;
                return false;
            }

            var index = IndexOf(links, html.AsSpan(start, length));
            if (index < 0)
            {
                continue;
            }

            encoded ??= new string?[links.Count];
            AppendInserting(output, html, copied, start, insertAt, fragment);
            output.Append(encoded[index] ??= WebUtility.HtmlEncode(trackingUrl(index)));
            copied = start + length;
            replaced = true;
        }

        AppendInserting(output, html, copied, html.Length, insertAt, fragment);
        if (insertAt == html.Length)
        {
            output.Append(fragment);
        }

        return true;
    }

    /// <summary>Appends html[from..to), with the fragment where <paramref name="insertAt"/> falls inside it.</summary>
    private static void AppendInserting(StringBuilder output, string html, int from, int to, int insertAt, string fragment)
    {
        if (insertAt >= from && insertAt < to)
        {
            output.Append(html, from, insertAt - from).Append(fragment).Append(html, insertAt, to - insertAt);
        }
        else
        {
            output.Append(html, from, to - from);
        }
    }

    /// <summary>
    /// The next quoted <c>href</c> value of an <c>&lt;a&gt;</c> tag at or after <paramref name="from"/>: where it starts
    /// and how long it is, or start -1. What the pattern <c>&lt;a\b[^&gt;]*?\bhref\s*=\s*("[^"]*"|'[^']*')</c> finds
    /// (any case), by scanning: this runs over every rendered message.
    /// </summary>
    internal static (int Start, int Length) NextHref(string html, int from)
    {
        for (var tag = html.IndexOf('<', from); tag >= 0 && tag + 2 <= html.Length; tag = html.IndexOf('<', tag + 1))
        {
            if ((html[tag + 1] | 0x20) != 'a' || (tag + 2 < html.Length && IsWordChar(html[tag + 2])))
            {
                continue;
            }

            // Attributes up to the tag's end; a quoted value found may run past a '>', as the pattern's [^"]* does.
            var end = html.IndexOf('>', tag + 2);
            var limit = end < 0 ? html.Length : end;
            for (var name = html.IndexOf("href", tag + 2, limit - (tag + 2), StringComparison.OrdinalIgnoreCase); name >= 0; name = html.IndexOf("href", name + 1, limit - (name + 1), StringComparison.OrdinalIgnoreCase))
            {
                if (IsWordChar(html[name - 1]))
                {
                    continue;
                }

                var i = SkipWhiteSpace(html, name + 4);
                if (i >= html.Length || html[i] != '=')
                {
                    continue;
                }

                i = SkipWhiteSpace(html, i + 1);
                if (i >= html.Length || html[i] is not ('"' or '\''))
                {
                    continue;
                }

                var close = html.IndexOf(html[i], i + 1);
                if (close >= 0)
                {
                    return (i + 1, close - i - 1);
                }
            }

            // Nothing in this tag: a later "<a" before the same '>' would see a subset of the same candidates, so the
            // scan goes on after it (and with no '>' left, nothing can follow). This keeps hostile markup linear.
            if (end < 0)
            {
                break;
            }

            tag = end;
        }

        return (-1, 0);
    }

    private static int SkipWhiteSpace(string html, int at)
    {
        while (at < html.Length && char.IsWhiteSpace(html[at]))
        {
            at++;
        }

        return at;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_' || char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.ConnectorPunctuation;

    /// <summary>Which campaign link a rendered href is (as the template had it: entities decoded, trimmed), or -1.</summary>
    private static int IndexOf(IReadOnlyList<string> links, ReadOnlySpan<char> href)
    {
        var url = href.Contains('&') ? WebUtility.HtmlDecode(href.ToString()).AsSpan().Trim() : href.Trim();
        for (var i = 0; i < links.Count; i++)
        {
            if (url.SequenceEqual(links[i]))
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
}
