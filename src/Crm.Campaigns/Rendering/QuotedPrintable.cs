using System.Buffers;
using System.Text;

namespace Crm.Campaigns.Rendering;

/// <summary>
/// Quoted-printable (RFC 2045 §6.7) for the text parts of campaign mail, written for runs rather than bytes: a rendered
/// body is mostly printable ASCII, so whole runs of it are copied up to the line limit and only the rest is escaped.
/// Output lines end in CRLF and are at most 76 characters (a soft break's <c>=</c> included); white space before a line
/// break is escaped, so no relay can strip it; every line break of the text (CRLF, LF or CR) becomes CRLF.
/// </summary>
internal static class QuotedPrintable
{
    private const int MaxLine = 76;

    // Printable ASCII but '=', and the space and tab that are only escaped at the end of a line.
    private static readonly SearchValues<byte> Plain = SearchValues.Create([(byte)'\t', .. Enumerable.Range(32, 95).Select(b => (byte)b).Where(b => b != (byte)'=')]);
    private static readonly byte[] Hex = "0123456789ABCDEF"u8.ToArray();

    /// <summary>Writes the UTF-8 bytes of <paramref name="text"/> and then <paramref name="suffix"/>, quoted-printable encoded, to <paramref name="destination"/>.</summary>
    public static void EncodeTo(string text, string suffix, Stream destination)
    {
        // Scratch space from the pool: a fresh worst-case buffer per part would be zeroed only to be thrown away.
        var source = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length + suffix.Length));
        try
        {
            var count = Encoding.UTF8.GetBytes(text, source);
            count += Encoding.UTF8.GetBytes(suffix, source.AsSpan(count));
            EncodeTo(source.AsSpan(0, count), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(source);
        }
    }

    /// <summary>Writes the UTF-8 bytes of <paramref name="text"/>, quoted-printable encoded, to <paramref name="destination"/>, read from the builder's chunks without a string of it.</summary>
    public static void EncodeTo(StringBuilder text, Stream destination)
    {
        var source = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            // An encoder keeps a surrogate pair split across two chunks whole.
            var encoder = Encoding.UTF8.GetEncoder();
            var count = 0;
            foreach (var chunk in text.GetChunks())
            {
                count += encoder.GetBytes(chunk.Span, source.AsSpan(count), flush: false);
            }

            count += encoder.GetBytes([], source.AsSpan(count), flush: true);
            EncodeTo(source.AsSpan(0, count), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(source);
        }
    }

    private static void EncodeTo(ReadOnlySpan<byte> source, Stream destination)
    {
        // Worst case: every byte escaped (×3) plus a soft break (3 bytes) per 25 escapes.
        var output = ArrayPool<byte>.Shared.Rent((source.Length * 3) + (source.Length / 8) + 8);
        try
        {
            destination.Write(output, 0, Encode(source, output));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    private static int Encode(ReadOnlySpan<byte> source, Span<byte> output)
    {
        var written = 0;
        var column = 0;
        var i = 0;
        while (i < source.Length)
        {
            var b = source[i];
            if (b is (byte)'\r' or (byte)'\n')
            {
                EscapeTrailingWhiteSpace(output, ref written, ref column);
                output[written++] = (byte)'\r';
                output[written++] = (byte)'\n';
                column = 0;
                i += b == (byte)'\r' && i + 1 < source.Length && source[i + 1] == (byte)'\n' ? 2 : 1;
                continue;
            }

            var run = source[i..].IndexOfAnyExcept(Plain);
            if (run < 0)
            {
                run = source.Length - i;
            }

            if (run > 0)
            {
                while (run > 0)
                {
                    if (column >= MaxLine - 1)
                    {
                        SoftBreak(output, ref written, ref column);
                    }

                    var take = Math.Min(run, MaxLine - 1 - column);
                    source.Slice(i, take).CopyTo(output[written..]);
                    written += take;
                    column += take;
                    i += take;
                    run -= take;
                }

                continue;
            }

            Escape(b, output, ref written, ref column);
            i++;
        }

        EscapeTrailingWhiteSpace(output, ref written, ref column);
        return written;
    }

    private static void Escape(byte value, Span<byte> output, ref int written, ref int column)
    {
        if (column + 3 > MaxLine - 1)
        {
            SoftBreak(output, ref written, ref column);
        }

        output[written++] = (byte)'=';
        output[written++] = Hex[value >> 4];
        output[written++] = Hex[value & 0xF];
        column += 3;
    }

    private static void SoftBreak(Span<byte> output, ref int written, ref int column)
    {
        output[written++] = (byte)'=';
        output[written++] = (byte)'\r';
        output[written++] = (byte)'\n';
        column = 0;
    }

    // A space or tab right before a line break (or the end) may be stripped in transit: it is sent escaped.
    private static void EscapeTrailingWhiteSpace(Span<byte> output, ref int written, ref int column)
    {
        if (column > 0 && output[written - 1] is (byte)' ' or (byte)'\t')
        {
            var white = output[--written];
            column--;
            Escape(white, output, ref written, ref column);
        }
    }
}
