using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Crm.Campaigns.Rendering;

/// <summary>Derives the text/plain alternative of an HTML body: paragraphs become lines, links show their URL.</summary>
internal static partial class HtmlToText
{
    /// <summary>Converts HTML to readable plain text.</summary>
    public static string Convert(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var text = InvisibleBlocks().Replace(html, "");
        text = Links().Replace(text, match =>
        {
            var label = Tags().Replace(match.Groups["label"].Value, "").Trim();
            var href = WebUtility.HtmlDecode(match.Groups["href"].Value);
            return label.Length == 0 || label == href ? href : $"{label} ({href})";
        });
        text = LineBreaks().Replace(text, "\n");
        text = BlockEnds().Replace(text, "\n\n");
        text = ListItems().Replace(text, "\n- ");
        text = Tags().Replace(text, "");
        text = WebUtility.HtmlDecode(text);

        var result = new StringBuilder(text.Length);
        var blankLines = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = Spaces().Replace(rawLine, " ").Trim();
            if (line.Length == 0)
            {
                blankLines++;
                continue;
            }

            if (result.Length > 0)
            {
                result.Append(blankLines > 0 ? "\n\n" : "\n");
            }

            result.Append(line);
            blankLines = 0;
        }

        return result.ToString();
    }

    [GeneratedRegex(@"<(script|style|head|title)\b[^>]*>.*?</\1\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex InvisibleBlocks();

    [GeneratedRegex(@"<a\b[^>]*?\bhref\s*=\s*[""'](?<href>[^""']*)[""'][^>]*>(?<label>.*?)</a\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Links();

    [GeneratedRegex(@"<br\s*/?>", RegexOptions.IgnoreCase)]
    private static partial Regex LineBreaks();

    [GeneratedRegex(@"</(p|div|h[1-6]|tr|table|ul|ol|blockquote)\s*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockEnds();

    [GeneratedRegex(@"<li\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ListItems();

    [GeneratedRegex(@"<[^>]+>", RegexOptions.Singleline)]
    private static partial Regex Tags();

    [GeneratedRegex(@"[ \t\r\f\v\u00a0]+")]
    private static partial Regex Spaces();
}
