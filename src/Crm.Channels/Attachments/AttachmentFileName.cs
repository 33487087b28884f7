using System.Globalization;

namespace Crm.Channels.Attachments;

/// <summary>
/// The one rule for a file name a sender chose (an upload's, a mail part's): the last path segment, without control
/// characters and without format characters — bidi overrides and isolates (<c>invoice&#x202E;fdp.exe</c> would display
/// as "invoiceexe.pdf"), zero-width characters — trimmed, at most 200 characters; null when nothing is left.
/// </summary>
internal static class AttachmentFileName
{
    private const int MaxLength = 200;

    public static string? Clean(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var last = name.Replace('\\', '/').Split('/')[^1];
        var clean = new string(last.Where(c => !char.IsControl(c) && CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.Format).ToArray()).Trim().Trim('.');
        return clean.Length == 0 ? null : clean.Length > MaxLength ? clean[..MaxLength] : clean;
    }
}
