using System.Text;
using MimeKit;
using MimeKit.IO;
using MimeKit.IO.Filters;
using MimeKit.Text;

namespace Crm.Campaigns.Rendering;

/// <summary>
/// A campaign message's <c>multipart/alternative</c> body that also keeps the bytes it has on the wire. A sent message is
/// otherwise serialised once per reader: a DKIM signer hashes it, and the SMTP connection writes it (and any MailKit
/// transport an integrator uses measures it for <c>SIZE=</c> first). Frozen, each of those copies the same bytes (the
/// transport still applies its own framing, dot-stuffing, to them), while the parts stay readable — a custom
/// <c>ICampaignSender</c> that posts <c>HtmlBody</c> and <c>TextBody</c> to a provider's API sees them as before.
/// The builder makes it (<see cref="Create"/>) once the parts' text is final: a part changed afterwards would not be in the bytes.
/// </summary>
internal sealed class SerializedBody : MultipartAlternative
{
    private const int MaxKeptBuffer = 1024 * 1024;
    /// <summary>How a message goes on the wire: CRLF, a final new line, blind copies never a header.</summary>
    internal static readonly FormatOptions WireFormat = CreateWireFormat(international: false);

    /// <summary><see cref="WireFormat"/> with UTF-8 headers, for an SMTPUTF8 transaction (RFC 6531).</summary>
    internal static readonly FormatOptions InternationalWireFormat = CreateWireFormat(international: true);
    [ThreadStatic]
    private static MemoryStream? t_buffer;
    private byte[] _content = [];

    private SerializedBody()
    {
    }

    /// <summary>
    /// Writes a message with a frozen body for the wire (CRLF): its header block as MimeKit writes it, then the frozen
    /// bytes, without running them through MimeKit's newline filter again. False, and nothing written, for any other
    /// message or format; the caller then lets MimeKit write it.
    /// </summary>
    internal static bool TryWriteMessage(MimeMessage message, FormatOptions format, MemoryStream stream)
    {
        if (message.Body is not SerializedBody body
            || format.NewLineFormat != NewLineFormat.Dos
            || message.Headers.Any(h => format.HiddenHeaders.Contains(h.Id)))
        {
            return false;
        }

        // MimeMessage.WriteTo writes the message's headers, MIME-Version, the body's own (Content-Type), the blank line;
        // a header list writes its blank line itself, so the message's is taken back before the body's headers follow.
        var start = stream.Length;
        message.Headers.WriteTo(format, stream);
        if (stream.Length - start >= 2)
        {
            stream.SetLength(stream.Length - 2);
        }

        if (!message.Headers.Contains(HeaderId.MimeVersion))
        {
            // As MimeMessage.WriteTo adds it to a message with a body.
            stream.Write("MIME-Version: 1.0\r\n"u8);
        }

        body.Headers.WriteTo(format, stream);
        stream.Write(body._content);
        return true;
    }

    /// <summary>
    /// A campaign message's body, frozen as it is made: a text and an HTML part, each encoded (UTF-8, quoted-printable)
    /// straight into the body's one buffer between its boundaries — what MimeKit's <c>Multipart</c> writes for the same
    /// parts, without a copy of each part's content of its own or a pass through MimeKit's filters. The parts' content
    /// is a slice of the body's bytes.
    /// </summary>
    /// <param name="text">The text alternative.</param>
    /// <param name="textSuffix">What follows the text (its footer), encoded with it.</param>
    /// <param name="html">The HTML, read from the builder's chunks.</param>
    internal static SerializedBody Create(string text, string textSuffix, StringBuilder html)
    {
        var textPart = new EncodedTextPart(TextFormat.Plain);
        var htmlPart = new EncodedTextPart(TextFormat.Html);
        var body = new SerializedBody { textPart, htmlPart };
        var buffer = RentBuffer();
        var boundary = Encoding.ASCII.GetBytes(body.Boundary!);
        var textStart = StartPart(buffer, boundary, first: true, textPart);
        QuotedPrintable.EncodeTo(text, textSuffix, buffer);
        var textLength = (int)buffer.Length - textStart;
        var htmlStart = StartPart(buffer, boundary, first: false, htmlPart);
        QuotedPrintable.EncodeTo(html, buffer);
        var htmlLength = (int)buffer.Length - htmlStart;
        buffer.Write("\r\n--"u8);
        buffer.Write(boundary);
        buffer.Write("--\r\n"u8);
        var content = CopyOut(buffer);
        textPart.SetEncoded(content, textStart, textLength);
        htmlPart.SetEncoded(content, htmlStart, htmlLength);
        body._content = content;
        return body;
    }

    /// <summary>Writes a part's boundary line and headers (with their blank line); returns where its content starts.</summary>
    private static int StartPart(MemoryStream buffer, byte[] boundary, bool first, EncodedTextPart part)
    {
        buffer.Write(first ? "--"u8 : "\r\n--"u8);
        buffer.Write(boundary);
        buffer.Write("\r\n"u8);
        part.Headers.WriteTo(WireFormat, buffer);
        return (int)buffer.Length;
    }

    /// <summary>The thread's own buffer, emptied: the callers do not await, and only the copy taken out leaves it.</summary>
    private static MemoryStream RentBuffer()
    {
        var buffer = t_buffer ??= new MemoryStream(32 * 1024);
        buffer.SetLength(0);
        return buffer;
    }

    private static byte[] CopyOut(MemoryStream buffer)
    {
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length).ToArray();
        if (buffer.Capacity > MaxKeptBuffer)
        {
            // One unusually large message must not pin its buffer to the thread for good.
            t_buffer = null;
        }

        return bytes;
    }

    public override void WriteTo(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stream);
        if (!contentOnly)
        {
            base.WriteTo(options, stream, contentOnly, cancellationToken);
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (options.NewLineFormat == NewLineFormat.Dos)
        {
            WriteInChunks(stream, cancellationToken);
            return;
        }

        using var filtered = new FilteredStream(stream);
        filtered.Add(new Dos2UnixFilter());
        WriteInChunks(filtered, cancellationToken);
        filtered.Flush(cancellationToken);
    }

    // A DKIM signer hashes the body through MimeKit's filters, which size their buffers to the largest write: in pieces
    // of a few kilobytes, as MimeKit writes a part, signing a message allocates 27 KB; in one write it allocated 280 KB.
    private const int ChunkSize = 4096;

    private void WriteInChunks(Stream stream, CancellationToken cancellationToken)
    {
        for (var at = 0; at < _content.Length; at += ChunkSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            stream.Write(_content, at, Math.Min(ChunkSize, _content.Length - at));
        }
    }

    private async Task WriteInChunksAsync(Stream stream, CancellationToken cancellationToken)
    {
        for (var at = 0; at < _content.Length; at += ChunkSize)
        {
            await stream.WriteAsync(_content.AsMemory(at, Math.Min(ChunkSize, _content.Length - at)), cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task WriteToAsync(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stream);
        if (!contentOnly)
        {
            await base.WriteToAsync(options, stream, contentOnly, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (options.NewLineFormat == NewLineFormat.Dos)
        {
            await WriteInChunksAsync(stream, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var filtered = new FilteredStream(stream);
        filtered.Add(new Dos2UnixFilter());
        await WriteInChunksAsync(filtered, cancellationToken).ConfigureAwait(false);
        await filtered.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static FormatOptions CreateWireFormat(bool international)
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        format.EnsureNewLine = true;
        format.International = international;
        // Blind copies are envelope recipients, never a header anyone receives.
        format.HiddenHeaders.Add(HeaderId.Bcc);
        format.HiddenHeaders.Add(HeaderId.ResentBcc);
        return format;
    }
}
