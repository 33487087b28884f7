using System.Text;

namespace Crm.Channels.Email;

/// <summary>
/// The charset of raw 8-bit text that is not UTF-8 and declares none, or declares a Latin one it is not in: mail from
/// older Chinese and Japanese clients writes headers (and sometimes bodies) in GBK or Shift_JIS bytes, which read as
/// Latin-1 are garbage. A guess is made only on strong evidence — Japanese kana, or every high byte pairing up as a
/// common GB2312 character — so real Latin-1 text (French, German) is never reinterpreted.
/// </summary>
internal static class LegacyCharsetGuess
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

    /// <summary>The charset the bytes are most likely in, or null when they are ASCII, UTF-8 or no strong guess.</summary>
    public static string? Of(ReadOnlySpan<byte> bytes)
    {
        if (!bytes.ContainsAnyExceptInRange((byte)0, (byte)0x7F) || IsUtf8(bytes))
        {
            return null;
        }

        // Shift_JIS first when its reading has kana: no Chinese text has them, and GBK reads Shift_JIS bytes as rare hanzi.
        if (Decodes("shift_jis", bytes) is { } japanese && japanese.Any(c => c is >= '\u3041' and <= '\u30FF'))
        {
            return "shift_jis";
        }

        if (IsCommonGb2312(bytes) && Decodes("gb18030", bytes) is not null)
        {
            return "gb18030";
        }

        return null;
    }

    private static bool IsUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            StrictUtf8.GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static string? Decodes(string charset, ReadOnlySpan<byte> bytes)
    {
        try
        {
            return Encoding.GetEncoding(charset, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>True when every byte above ASCII pairs with the next into the common-character rows of GB2312.</summary>
    private static bool IsCommonGb2312(ReadOnlySpan<byte> bytes)
    {
        var pairs = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] < 0x80)
            {
                continue;
            }

            if (i + 1 >= bytes.Length || bytes[i] is < 0xA1 or > 0xF7 || bytes[i + 1] is < 0xA1 or > 0xFE)
            {
                return false;
            }

            pairs++;
            i++;
        }

        return pairs > 0;
    }
}
