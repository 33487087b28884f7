using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Crm.Channels.Ingestion;

/// <summary>Whether text shows anything: zero-width spaces, joiners, bidi marks and fillers alone are as empty as blanks.</summary>
internal static class VisibleText
{
    /// <summary>True when <paramref name="text"/> is null or has no visible character.</summary>
    public static bool IsBlank([NotNullWhen(false)] string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        foreach (var rune in text.EnumerateRunes())
        {
            if (!IsInvisible(rune))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsInvisible(Rune rune)
        => Rune.IsWhiteSpace(rune)
            || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.Control or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            // Characters that are letters or symbols to Unicode but draw nothing: Hangul fillers and the blank braille pattern.
            || rune.Value is 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800;
}
