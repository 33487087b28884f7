using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Ganss.Xss;

namespace Crm.Channels.Email;

/// <summary>
/// Makes customer HTML safe to show agents: no scripts, no event handlers, no forms or frames, and no remote
/// content loads (remote images and CSS <c>url()</c> would tell the sender when and where a mail was read).
/// Links stay, and inline <c>cid:</c> and <c>data:</c> images stay.
/// </summary>
internal static class HtmlEmailSanitizer
{
    private static readonly string[] SourceAttributes = ["src", "srcset", "background", "poster", "dynsrc", "lowsrc"];

    private static readonly HtmlSanitizer Sanitizer = Create();

    /// <summary>Returns the sanitised HTML.</summary>
    public static string Sanitize(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        return Sanitizer.Sanitize(html);
    }

    /// <summary>The text a browser would show for this HTML (for messages with no text part).</summary>
    public static string ToText(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var document = new HtmlParser().ParseDocument(html);
        foreach (var hidden in document.QuerySelectorAll("script, style, head, title").ToList())
        {
            hidden.Remove();
        }

        foreach (var lineBreak in document.QuerySelectorAll("br, p, div, li, tr, h1, h2, h3, h4, h5, h6").ToList())
        {
            lineBreak.Before(document.CreateTextNode("\n"));
        }

        var text = document.Body?.TextContent ?? document.DocumentElement.TextContent;
        var lines = text.Split('\n').Select(l => string.Join(' ', l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
        return string.Join('\n', lines.Where(l => l.Length > 0));
    }

    private static HtmlSanitizer Create()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Add("mailto");
        sanitizer.AllowedSchemes.Add("cid");
        sanitizer.AllowedSchemes.Add("data");
        foreach (var tag in (string[])["form", "input", "button", "select", "textarea", "style", "link", "meta", "base", "iframe", "object", "embed", "svg", "math"])
        {
            sanitizer.AllowedTags.Remove(tag);
        }

        sanitizer.AllowedAttributes.Remove("srcset");
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is not IElement element)
            {
                return;
            }

            foreach (var name in SourceAttributes)
            {
                var value = element.GetAttribute(name);
                if (value is not null && !IsInline(value))
                {
                    element.RemoveAttribute(name);
                }
            }

            var style = element.GetAttribute("style");
            if (style is not null && style.Contains("url(", StringComparison.OrdinalIgnoreCase))
            {
                element.RemoveAttribute("style");
            }

            if (element.LocalName == "a")
            {
                // Links open outside the agent UI and pass no referrer back to the sender.
                element.SetAttribute("target", "_blank");
                element.SetAttribute("rel", "noopener noreferrer nofollow");
            }
        };
        return sanitizer;
    }

    private static bool IsInline(string url)
    {
        var trimmed = url.TrimStart();
        return trimmed.StartsWith("cid:", StringComparison.OrdinalIgnoreCase)
            || trimmed.StartsWith("data:image/", StringComparison.OrdinalIgnoreCase);
    }
}
