using MimeKit;
using MimeKit.Text;

namespace Crm.Campaigns.Rendering;

/// <summary>
/// A UTF-8 text part whose content is stored already quoted-printable encoded, with CRLF line ends: writing it (for
/// DKIM, for SMTP) copies bytes instead of running MimeKit's byte-at-a-time encoder, and a frozen body
/// (<see cref="SerializedBody"/>) takes <see cref="Encoded"/> as it is. Reading its <c>Text</c> decodes as usual.
/// </summary>
internal sealed class EncodedTextPart : TextPart
{
    public EncodedTextPart(TextFormat format, string text)
        : base(format)
    {
        ContentTransferEncoding = ContentEncoding.QuotedPrintable;
        ContentType.Charset = "utf-8";
        Encoded = QuotedPrintable.Encode(text);
        Content = new MimeContent(new MemoryStream(Encoded, writable: false), ContentEncoding.QuotedPrintable);
    }

    /// <summary>The wire form of the content: quoted-printable, CRLF line ends, as <see cref="QuotedPrintable.Encode(string)"/> makes it.</summary>
    public byte[] Encoded { get; }
}
