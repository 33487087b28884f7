using MimeKit;
using MimeKit.Text;

namespace Crm.Campaigns.Rendering;

/// <summary>
/// A UTF-8 text part whose content is stored already quoted-printable encoded, with CRLF line ends, as a slice of its
/// frozen body's bytes (<see cref="SerializedBody.Create"/>): writing it (for DKIM, for SMTP) copies bytes instead of
/// running MimeKit's byte-at-a-time encoder. Reading its <c>Text</c> decodes as usual.
/// </summary>
internal sealed class EncodedTextPart : TextPart
{
    public EncodedTextPart(TextFormat format)
        : base(format)
    {
        ContentTransferEncoding = ContentEncoding.QuotedPrintable;
        ContentType.Charset = "utf-8";
    }

    /// <summary>
    /// Makes <paramref name="length"/> bytes of <paramref name="bytes"/> from <paramref name="offset"/> the part's content:
    /// quoted-printable, CRLF line ends, as <see cref="QuotedPrintable"/> writes it.
    /// </summary>
    public void SetEncoded(byte[] bytes, int offset, int length)
    {
        Content = new MimeContent(new MemoryStream(bytes, offset, length, writable: false), ContentEncoding.QuotedPrintable);
    }
}
