using MimeKit;
using MimeKit.IO;
using MimeKit.IO.Filters;

namespace Crm.Campaigns.Rendering;

/// <summary>
/// A message body serialised once, as the bytes it has on the wire. A sent campaign message is otherwise encoded
/// (quoted-printable through MimeKit's filter chain) once per reader: MailKit measures it for the <c>SIZE=</c> that
/// every real server advertises and then writes it for <c>DATA</c>, and a DKIM signer hashes it first. Frozen, each of
/// those is a copy of the same bytes; the transport still applies its own framing (dot-stuffing) to them.
/// </summary>
internal sealed class SerializedBody : MimeEntity
{
    private static readonly FormatOptions Wire = CreateWireFormat();
    private const int MaxKeptBuffer = 1024 * 1024;
    [ThreadStatic]
    private static MemoryStream? t_buffer;
    private readonly byte[] _content;

    private SerializedBody(ContentType contentType, byte[] content)
        : base(contentType) => _content = content;

    /// <summary>Replaces <paramref name="message"/>'s body by its serialised form (the bytes SMTP would send).</summary>
    public static void Freeze(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Body is null or SerializedBody)
        {
            return;
        }

        // Serialised as the transport would (CRLF, a final new line), whole, and cut after the header block: the body's
        // own serialisation alone skips what the message adds around it. The buffer is the thread's own, reused: this
        // method does not await, and only the cut-out copy leaves it.
        var whole = t_buffer ??= new MemoryStream(32 * 1024);
        whole.SetLength(0);
        message.WriteTo(Wire, whole);
        var bytes = whole.GetBuffer().AsSpan(0, (int)whole.Length);
        var separator = bytes.IndexOf("\r\n\r\n"u8);
        if (separator < 0)
        {
            return;
        }

        var frozen = new SerializedBody(message.Body.ContentType, bytes[(separator + 4)..].ToArray());
        foreach (var header in message.Body.Headers)
        {
            if (header.Id != HeaderId.ContentType)
            {
                frozen.Headers.Add(header.Clone());
            }
        }

        message.Body = frozen;
        if (whole.Capacity > MaxKeptBuffer)
        {
            // One unusually large message must not pin its buffer to the thread for good.
            t_buffer = null;
        }
    }

    /// <summary>Already 7-bit (quoted-printable parts, lines ≤ 76): nothing to re-encode for any server.</summary>
    public override void Prepare(EncodingConstraint constraint, int maxLineLength = 78)
    {
    }

    public override void WriteTo(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stream);
        if (!contentOnly)
        {
            base.WriteTo(options, stream, contentOnly: false, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (options.NewLineFormat == NewLineFormat.Dos)
        {
            stream.Write(_content);
            return;
        }

        using var filtered = new FilteredStream(stream);
        filtered.Add(new Dos2UnixFilter());
        filtered.Write(_content, 0, _content.Length, cancellationToken);
        filtered.Flush(cancellationToken);
    }

    public override async Task WriteToAsync(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stream);
        if (!contentOnly)
        {
            await base.WriteToAsync(options, stream, contentOnly: false, cancellationToken).ConfigureAwait(false);
        }

        if (options.NewLineFormat == NewLineFormat.Dos)
        {
            await stream.WriteAsync(_content, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var filtered = new FilteredStream(stream);
        filtered.Add(new Dos2UnixFilter());
        await filtered.WriteAsync(_content, cancellationToken).ConfigureAwait(false);
        await filtered.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static FormatOptions CreateWireFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        format.EnsureNewLine = true;
        return format;
    }
}
