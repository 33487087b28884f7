using System.Text;
using Crm.Campaigns.Rendering;
using MimeKit.Encodings;

namespace Crm.Campaigns.Tests;

/// <summary>The campaign parts' quoted-printable encoder, checked against MimeKit's decoder and RFC 2045's rules.</summary>
public sealed class QuotedPrintableTests
{
    public static TheoryData<string> Texts => new()
    {
        "",
        "plain",
        "a=b ?=c",
        "trailing space \nand tab\t\r\nand end ",
        "Grüße aus Köln – 東京 🎉 and ünïcödé",
        new string('x', 75) + "\n" + new string('y', 76) + "\n" + new string('z', 300),
        new string('é', 100),
        string.Concat(Enumerable.Repeat("<p>Dear Ann, see <a href=\"https://shop.example/a?b=1&amp;c=2\">this</a>.</p>\r\n", 30)),
        new string(' ', 80) + "\n" + new string('\t', 3),
        ".\n..\r. dot lines\rFrom me",
        "\u0000\u0001\u007f control",
        // Its surrogate pair at characters 17 and 18: split between the builder's first and second chunk.
        new string('x', 16) + "\U0001F389 split between chunks",
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Encoded_text_decodes_back_with_crlf_breaks_and_keeps_every_line_legal(string text)
    {
        using var fromString = new MemoryStream();
        QuotedPrintable.EncodeTo(text, "", fromString);
        var encoded = fromString.ToArray();
        // The HTML part is encoded from a builder's chunks: a chunk may end between the two halves of a surrogate pair
        // (a builder of capacity 17 keeps the first 17 characters in its first chunk), and the bytes must still be those
        // of the string.
        var builder = new StringBuilder(17).Append(text);

        using var fromBuilder = new MemoryStream();
        QuotedPrintable.EncodeTo(builder, fromBuilder);
        Assert.Equal(encoded, fromBuilder.ToArray());

        var decoder = new QuotedPrintableDecoder();
        var decoded = new byte[decoder.EstimateOutputLength(encoded.Length)];
        var length = decoder.Decode(encoded, 0, encoded.Length, decoded);
        Assert.Equal(text.ReplaceLineEndings("\r\n"), Encoding.UTF8.GetString(decoded, 0, length));

        var ascii = Encoding.ASCII.GetString(encoded);
        Assert.DoesNotContain(ascii.Replace("\r\n", "", StringComparison.Ordinal), c => c is '\r' or '\n');
        foreach (var line in ascii.Split("\r\n"))
        {
            Assert.True(line.Length <= 76, $"line of {line.Length}: {line}");
            Assert.All(line, c => Assert.True(c is '\t' or (>= ' ' and <= '~'), $"byte {(int)c} in {line}"));
            Assert.False(line.EndsWith(' ') || line.EndsWith('\t'), $"white space at the end of: {line}");
        }
    }
}
