using System.Buffers;
using System.Globalization;
using System.Text;
using Crm.Campaigns.Rendering;
using MimeKit;

namespace Crm.Campaigns.Sending;

/// <summary>What goes on the wire: envelopes, <c>BDAT</c> chunks and dot-stuffed <c>DATA</c>, serialised into one reused buffer.</summary>
internal sealed partial class SmtpConnection
{
    /// <summary>
    /// Serialises <paramref name="message"/> into <paramref name="transaction"/> for this connection: parts re-encoded
    /// where the server cannot take 8-bit, the envelope in the form the server's extensions allow. Throws
    /// <see cref="SmtpReplyException"/> when the server cannot take the message at all (too large, 8-bit or an
    /// internationalised address the server does not offer to carry).
    /// </summary>
    public SmtpTransaction Prepare(MimeMessage message, MailboxAddress from, IReadOnlyList<MailboxAddress> recipients, SmtpTransaction transaction)
    {
        transaction.Reset();
        var international = NeedsSmtpUtf8(from) || recipients.Any(NeedsSmtpUtf8);
        var utf8 = international && _extensions.HasFlag(Extensions.SmtpUtf8);
        var envelopeFrom = EnvelopeAddress(from, utf8);
        var envelopeTo = recipients.Select(r => EnvelopeAddress(r, utf8)).ToArray();

        // As MailKit does: parts re-encoded where the server cannot take 8-bit, or a line would exceed RFC 5322's 998.
        message.Prepare(_extensions.HasFlag(Extensions.EightBitMime) ? EncodingConstraint.EightBit : EncodingConstraint.SevenBit, 998);
        var format = utf8 ? SerializedBody.InternationalWireFormat : SerializedBody.WireFormat;
        if (!SerializedBody.TryWriteMessage(message, format, transaction.Content))
        {
            message.WriteTo(format, transaction.Content);
        }

        var content = transaction.Bytes;
        var eightBit = content.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0;
        if (eightBit && !utf8 && !_extensions.HasFlag(Extensions.EightBitMime))
        {
            throw new SmtpReplyException(554, "The message has 8-bit content and the server offers neither 8BITMIME nor SMTPUTF8.", permanentWithoutReply: true);
        }

        if (_maxSize > 0 && content.Length > _maxSize)
        {
            throw new SmtpReplyException(552, $"The message ({content.Length} bytes) exceeds the server's SIZE limit of {_maxSize} bytes.", permanentWithoutReply: true);
        }

        transaction.MailFrom = new StringBuilder(128)
            .Append("MAIL FROM:<").Append(envelopeFrom).Append('>')
            .Append(_extensions.HasFlag(Extensions.Size) ? $" SIZE={content.Length.ToString(CultureInfo.InvariantCulture)}" : "")
            .Append(eightBit && _extensions.HasFlag(Extensions.EightBitMime) ? " BODY=8BITMIME" : "")
            .Append(utf8 ? " SMTPUTF8" : "")
            .Append("\r\n")
            .ToString();
        transaction.RcptTo = envelopeTo.Select(to => $"RCPT TO:<{to}>\r\n").ToArray();
        return transaction;
    }

    /// <summary><c>MAIL</c>, each <c>RCPT</c> and <c>DATA</c>, or with <paramref name="chunking"/> the whole message as <c>BDAT … LAST</c>.</summary>
    private int WriteEnvelope(int at, SmtpTransaction transaction, bool chunking)
    {
        var written = WriteText(at, transaction.MailFrom);
        foreach (var rcpt in transaction.RcptTo)
        {
            written = WriteText(written, rcpt);
        }

        return chunking ? WriteLastChunk(written, transaction) : WriteText(written, "DATA\r\n");
    }

    /// <summary>The whole message as one <c>BDAT … LAST</c> chunk at <paramref name="at"/>, announcing exactly what <see cref="WriteMessage"/> writes.</summary>
    private int WriteLastChunk(int at, SmtpTransaction transaction)
    {
        var content = transaction.Bytes;
        var size = content.Length + (content.EndsWith("\r\n"u8) ? 0 : 2);
        return WriteMessage(WriteText(at, $"BDAT {size.ToString(CultureInfo.InvariantCulture)} LAST\r\n"), transaction, stuffDots: false);
    }

    /// <summary>Copies the serialised message into the write buffer at <paramref name="at"/>, dot-stuffed for DATA, ending in CRLF.</summary>
    private int WriteMessage(int at, SmtpTransaction transaction, bool stuffDots)
    {
        var content = transaction.Bytes;
        var endsWithNewLine = content.EndsWith("\r\n"u8);
        var needed = at + content.Length + (endsWithNewLine ? 0 : 2) + (stuffDots ? content.Count("\n."u8) + 1 : 0) + 8;
        EnsureWriteCapacity(at, needed);
        var output = _write.AsSpan(at);
        var written = 0;
        if (stuffDots)
        {
            // RFC 5321 4.5.2: a line that starts with a dot gets one more, so no line of the message reads as its end.
            if (content.Length > 0 && content[0] == (byte)'.')
            {
                output[written++] = (byte)'.';
            }

            for (var next = content.IndexOf("\n."u8); next >= 0; next = content.IndexOf("\n."u8))
            {
                content[..(next + 1)].CopyTo(output[written..]);
                written += next + 1;
                output[written++] = (byte)'.';
                content = content[(next + 1)..];
            }
        }

        content.CopyTo(output[written..]);
        written += content.Length;
        if (!endsWithNewLine)
        {
            "\r\n"u8.CopyTo(output[written..]);
            written += 2;
        }

        return at + written;
    }

    /// <summary>A command line, UTF-8 (ASCII but for the addresses of an SMTPUTF8 transaction).</summary>
    private int WriteText(int at, string text)
    {
        EnsureWriteCapacity(at, at + Encoding.UTF8.GetMaxByteCount(text.Length));
        return at + Encoding.UTF8.GetBytes(text, _write.AsSpan(at));
    }

    private void EnsureWriteCapacity(int used, int needed)
    {
        if (needed > _write.Length)
        {
            var larger = new byte[Math.Max(needed, _write.Length * 2)];
            _write.AsSpan(0, used).CopyTo(larger);
            _write = larger;
        }
    }

    private async Task FlushAsync(int length, CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        timeout.CancelAfter(_options.Timeout);
        await _stream.WriteAsync(_write.AsMemory(0, length), timeout.Token).ConfigureAwait(false);
        await _stream.FlushAsync(timeout.Token).ConfigureAwait(false);
    }

    /// <summary>An address the server must take as UTF-8 (RFC 6531): a local part beyond ASCII; a domain can go as IDNA instead.</summary>
    private static bool NeedsSmtpUtf8(MailboxAddress address) => !Ascii.IsValid(address.LocalPart);

    /// <summary>The address as the envelope carries it. MimeKit refuses control characters in any address it holds, so no line break can reach a command.</summary>
    private string EnvelopeAddress(MailboxAddress address, bool utf8)
    {
        if (utf8 || Ascii.IsValid(address.Address))
        {
            return address.Address;
        }

        var encoded = MailboxAddress.EncodeAddrspec(address.Address);
        return Ascii.IsValid(encoded)
            ? encoded
            : throw new SmtpReplyException(553, $"{address.Address} needs SMTPUTF8, which {_options.Host} does not offer.", permanentWithoutReply: true);
    }
}
