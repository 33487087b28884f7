using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Crm.Campaigns.Rendering;
using MimeKit;

namespace Crm.Campaigns.Sending;

/// <summary>
/// One SMTP connection of <see cref="SmtpCampaignSender"/>, speaking the protocol itself so a message costs as few round
/// trips and copies as the server allows: with <c>PIPELINING</c> (RFC 2920) the envelope and <c>DATA</c> go in one write
/// and the message, dot-stuffed in one pass over bytes already serialised, in a second; with <c>CHUNKING</c> (RFC 3030)
/// envelope and message go in one write (<c>BDAT … LAST</c>, no dot-stuffing). Servers without either get one command
/// at a time. <c>SIZE</c> (RFC 1870), <c>8BITMIME</c> (RFC 6152) and <c>SMTPUTF8</c> (RFC 6531) are used when offered
/// and needed; TLS is <see cref="SslStream"/>; authentication uses MailKit's SASL mechanisms.
/// </summary>
internal sealed class SmtpConnection : IAsyncDisposable
{
    /// <summary>Longer reply lines or longer replies are a broken or hostile server, not a reply to read into memory.</summary>
    private const int MaxReplyLineLength = 4096;
    private const int MaxReplyLines = 100;
    private const int MaxKeptBuffer = 1024 * 1024;

    /// <summary>How long a goodbye may take: it is best effort, not a message.</summary>
    private static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Preferred first; what MailKit implements and a server may offer for a user name and password.</summary>
    private static readonly string[] AuthenticationPreference = ["SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN", "LOGIN", "CRAM-MD5"];

    private readonly Socket _socket;
    private readonly SmtpOptions _options;
    private readonly byte[] _read = new byte[MaxReplyLineLength];
    private Stream _stream;
    private int _readStart;
    private int _readEnd;
    private byte[] _write = new byte[32 * 1024];
    private Extensions _extensions;
    private long _maxSize;
    private string[] _authMechanisms = [];

    private SmtpConnection(Socket socket, Stream stream, SmtpOptions options)
    {
        _socket = socket;
        _stream = stream;
        _options = options;
    }

    [Flags]
    private enum Extensions
    {
        None = 0,
        Pipelining = 1,
        Chunking = 2,
        EightBitMime = 4,
        SmtpUtf8 = 8,
        Size = 16,
        StartTls = 32,
    }

    /// <summary>Messages this connection carried.</summary>
    public int Sent { get; private set; }

    /// <summary>False once the connection failed, timed out or the server said it is closing: it is not used again.</summary>
    public bool IsUsable { get; private set; } = true;

    /// <summary>Marks the connection unusable (it will be closed without a goodbye): the server is mid-transaction.</summary>
    public void Abandon() => IsUsable = false;

    /// <summary>Connects, reads the greeting, says EHLO, secures the connection as <paramref name="options"/> ask and authenticates.</summary>
    public static async Task<SmtpConnection> OpenAsync(SmtpOptions options, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        SmtpConnection? connection = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Timeout);
            await socket.ConnectAsync(options.Host, options.Port, timeout.Token).ConfigureAwait(false);
            var implicitTls = options.Security == SmtpSecurity.SslOnConnect || (options.Security == SmtpSecurity.Auto && options.Port == 465);
            connection = new SmtpConnection(socket, new NetworkStream(socket, ownsSocket: true), options);
            await connection.HandshakeAsync(implicitTls, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex) when (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await DisposeAsync(connection, socket).ConfigureAwait(false);
            throw new TimeoutException($"{options.Host}:{options.Port} did not complete the SMTP handshake within {options.Timeout}.", ex);
        }
        catch
        {
            await DisposeAsync(connection, socket).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task DisposeAsync(SmtpConnection? connection, Socket socket)
    {
        if (connection is not null)
        {
            // A handshake that failed or was cancelled left nothing to say goodbye to: closed without QUIT.
            connection.IsUsable = false;
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            socket.Dispose();
        }
    }

    private async Task HandshakeAsync(bool implicitTls, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (implicitTls)
        {
            await StartTlsAsync(timeout, cancellationToken).ConfigureAwait(false);
        }

        Expect(await ReadReplyAsync(timeout, cancellationToken).ConfigureAwait(false), 220, "greeting");
        await HelloAsync(timeout, cancellationToken).ConfigureAwait(false);
        if (!implicitTls && _options.Security != SmtpSecurity.None && (_extensions.HasFlag(Extensions.StartTls) || _options.Security == SmtpSecurity.StartTls))
        {
            if (!_extensions.HasFlag(Extensions.StartTls))
            {
                throw new AuthenticationException($"{_options.Host}:{_options.Port} does not offer STARTTLS, which Security = StartTls requires.");
            }

            Expect(await CommandAsync("STARTTLS\r\n", timeout, cancellationToken).ConfigureAwait(false), 220, "STARTTLS");
            if (_readEnd > _readStart)
            {
                // Plain text sent behind the 220 would otherwise be read as if it had come over TLS (CVE-2011-0411).
                throw new SmtpProtocolViolationException("The server sent data after agreeing to STARTTLS.");
            }

            await StartTlsAsync(timeout, cancellationToken).ConfigureAwait(false);
            await HelloAsync(timeout, cancellationToken).ConfigureAwait(false);
        }

        if (!string.IsNullOrEmpty(_options.UserName))
        {
            await AuthenticateAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task StartTlsAsync(CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
        _stream = tls;
        timeout.CancelAfter(_options.Timeout);
        try
        {
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = _options.Host,
                    RemoteCertificateValidationCallback = _options.ServerCertificateValidation,
                    CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.Online,
                },
                timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The TLS handshake with {_options.Host}:{_options.Port} took longer than {_options.Timeout}.");
        }
    }

    private async Task HelloAsync(CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        var name = LocalDomain();
        var reply = await CommandAsync($"EHLO {name}\r\n", timeout, cancellationToken).ConfigureAwait(false);
        if (reply.Code is >= 500 and < 600)
        {
            // A server without ESMTP: none of the extensions, one command at a time.
            Expect(await CommandAsync($"HELO {name}\r\n", timeout, cancellationToken).ConfigureAwait(false), 250, "HELO");
            _extensions = Extensions.None;
            return;
        }

        Expect(reply, 250, "EHLO");
        _extensions = Extensions.None;
        _maxSize = 0;
        _authMechanisms = [];
        // The first line names the server; each further line is one extension and its parameters.
        foreach (var line in reply.Text.Split('\n').Skip(1))
        {
            var words = line.Split([' ', '='], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
            {
                continue;
            }

            switch (words[0].ToUpperInvariant())
            {
                case "PIPELINING": _extensions |= Extensions.Pipelining; break;
                case "CHUNKING": _extensions |= Extensions.Chunking; break;
                case "8BITMIME": _extensions |= Extensions.EightBitMime; break;
                case "SMTPUTF8": _extensions |= Extensions.SmtpUtf8; break;
                case "STARTTLS": _extensions |= Extensions.StartTls; break;
                case "SIZE":
                    _extensions |= Extensions.Size;
                    _maxSize = words.Length > 1 && long.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var max) ? max : 0;
                    break;
                case "AUTH": _authMechanisms = [.. _authMechanisms, .. words.Skip(1).Select(w => w.ToUpperInvariant())]; break;
            }
        }
    }

    private string LocalDomain()
    {
        if (!string.IsNullOrEmpty(_options.LocalDomain))
        {
            return _options.LocalDomain;
        }

        // The machine name when it is a valid host name; otherwise the address literal RFC 5321 allows instead.
        var machine = Dns.GetHostName();
        if (Uri.CheckHostName(machine) == UriHostNameType.Dns)
        {
            return machine;
        }

        var local = ((IPEndPoint)_socket.LocalEndPoint!).Address;
        return local.AddressFamily == AddressFamily.InterNetworkV6 ? $"[IPv6:{local}]" : $"[{local}]";
    }

    private async Task AuthenticateAsync(CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        if (_authMechanisms.Length == 0)
        {
            throw new AuthenticationException($"{_options.Host}:{_options.Port} does not offer authentication, but a user name is configured.");
        }

        var name = AuthenticationPreference.FirstOrDefault(m => _authMechanisms.Contains(m) && MailKit.Security.SaslMechanism.IsSupported(m))
            ?? throw new AuthenticationException($"{_options.Host}:{_options.Port} offers no authentication mechanism this sender supports (it offers {string.Join(' ', _authMechanisms)}).");
        var sasl = MailKit.Security.SaslMechanism.Create(name, new NetworkCredential(_options.UserName, _options.Password ?? ""))
            ?? throw new AuthenticationException($"MailKit cannot create the {name} mechanism.");
        var command = "AUTH " + name;
        if (sasl.SupportsInitialResponse)
        {
            var initial = await sasl.ChallengeAsync(null, cancellationToken).ConfigureAwait(false);
            command += " " + (initial.Length == 0 ? "=" : initial);
        }

        var reply = await CommandAsync(command + "\r\n", timeout, cancellationToken).ConfigureAwait(false);
        for (var round = 0; reply.Code == 334 && round < 10; round++)
        {
            var response = await sasl.ChallengeAsync(reply.Text.Trim(), cancellationToken).ConfigureAwait(false);
            reply = await CommandAsync(response + "\r\n", timeout, cancellationToken).ConfigureAwait(false);
        }

        // 235 says so (RFC 4954); smtp-sink answers 250. Any success is not a refusal.
        if (reply.Code is < 200 or >= 300)
        {
            throw new AuthenticationException($"{_options.Host}:{_options.Port} refused the credentials ({name}): {reply.Code} {reply.Text.Trim()}");
        }
    }

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

    /// <summary>
    /// Sends a prepared transaction (its envelope may already be on the wire, written behind the previous message's end).
    /// With <c>PIPELINING</c> and without <c>CHUNKING</c> (where envelope and message already go in one write), the next
    /// transaction <paramref name="takeNext"/> returns, prepared on this connection, has its envelope written in the same
    /// write as this message's end (RFC 2920 lets message content open a group and <c>DATA</c> close it), so each message
    /// costs one round trip instead of two. A reply refusing the message throws <see cref="SmtpReplyException"/> (the connection
    /// stays usable); a broken connection throws <see cref="IOException"/>, <see cref="TimeoutException"/> or
    /// <see cref="SmtpProtocolViolationException"/> and marks the connection unusable.
    /// </summary>
    public async Task SendAsync(SmtpTransaction transaction, Func<SmtpTransaction?>? takeNext, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var refusal = _extensions.HasFlag(Extensions.Pipelining)
                ? await PipelinedAsync(transaction, takeNext, timeout, cancellationToken).ConfigureAwait(false)
                : await SequentialAsync(transaction, timeout, cancellationToken).ConfigureAwait(false);
            if (refusal is { } refused)
            {
                throw new SmtpReplyException(refused.Code, refused.Text);
            }

            Sent++;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            IsUsable = false;
            throw new TimeoutException($"{_options.Host}:{_options.Port} did not answer within {_options.Timeout}.");
        }
        catch (Exception ex) when (ex is not SmtpReplyException)
        {
            IsUsable = false;
            throw;
        }
        finally
        {
            if (_write.Length > MaxKeptBuffer)
            {
                _write = new byte[32 * 1024];
            }
        }
    }

    /// <summary>
    /// The envelope and <c>DATA</c> (or <c>BDAT</c> with the message) in one write, unless it went behind the previous
    /// message's end; then every reply in order, the message and its end (with the next envelope behind it). Returns the
    /// first refusal, or null when the message was accepted. A transaction refused before its end is reset here; one
    /// refused at its end is over (RFC 5321 4.1.1.4), and a reset then would land in the next transaction's message.
    /// </summary>
    private async Task<SmtpReply?> PipelinedAsync(SmtpTransaction transaction, Func<SmtpTransaction?>? takeNext, CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        var chunking = _extensions.HasFlag(Extensions.Chunking);
        if (!transaction.EnvelopeWritten)
        {
            await FlushAsync(WriteEnvelope(0, transaction, chunking), timeout, cancellationToken).ConfigureAwait(false);
            transaction.EnvelopeWritten = true;
            transaction.EndSent = chunking;
        }

        SmtpReply? refusal = null;
        var reply = await ReadReplyAsync(timeout, cancellationToken).ConfigureAwait(false);
        refusal ??= Refusal(reply, 250);
        foreach (var _ in transaction.RcptTo)
        {
            reply = await ReadReplyAsync(timeout, cancellationToken).ConfigureAwait(false);
            refusal ??= Refusal(reply, 250);
        }

        reply = await ReadReplyAsync(timeout, cancellationToken).ConfigureAwait(false);
        if (chunking)
        {
            refusal ??= Refusal(reply, 250);
        }
        else if (reply.Code != 354)
        {
            refusal ??= Refusal(reply, 354);
        }
        else if (refusal is not null)
        {
            // DATA went ahead although the envelope was refused (RFC 2920 lets a server do that): end it empty.
            await FlushAsync(WriteText(0, ".\r\n"), timeout, cancellationToken).ConfigureAwait(false);
            await ReadReplyAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            return await EndMessageAsync(transaction, takeNext?.Invoke(), timeout, cancellationToken).ConfigureAwait(false);
        }

        if (refusal is not null)
        {
            await ResetAsync(timeout, cancellationToken).ConfigureAwait(false);
        }

        return refusal;
    }

    private async Task<SmtpReply?> SequentialAsync(SmtpTransaction transaction, CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        transaction.EnvelopeWritten = true;
        var refusal = Refusal(await CommandAsync(transaction.MailFrom, timeout, cancellationToken).ConfigureAwait(false), 250);
        foreach (var rcpt in transaction.RcptTo)
        {
            if (refusal is not null)
            {
                break;
            }

            refusal = Refusal(await CommandAsync(rcpt, timeout, cancellationToken).ConfigureAwait(false), 250);
        }

        if (refusal is null && _extensions.HasFlag(Extensions.Chunking))
        {
            await FlushAsync(WriteLastChunk(0, transaction), timeout, cancellationToken).ConfigureAwait(false);
            transaction.EndSent = true;
            return Refusal(await ReadReplyAsync(timeout, cancellationToken).ConfigureAwait(false), 250);
        }

        refusal ??= Refusal(await CommandAsync("DATA\r\n", timeout, cancellationToken).ConfigureAwait(false), 354);
        if (refusal is not null)
        {
            await ResetAsync(timeout, cancellationToken).ConfigureAwait(false);
            return refusal;
        }

        return await EndMessageAsync(transaction, next: null, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After <c>354</c>: the message, dot-stuffed, and its end — with <paramref name="next"/>'s envelope behind it in the
    /// same write when given — then the reply to the message.
    /// </summary>
    private async Task<SmtpReply?> EndMessageAsync(SmtpTransaction transaction, SmtpTransaction? next, CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        var written = WriteText(WriteMessage(0, transaction, stuffDots: true), ".\r\n");
        if (next is not null)
        {
            written = WriteEnvelope(written, next, chunking: false);
        }

        await FlushAsync(written, timeout, cancellationToken).ConfigureAwait(false);
        transaction.EndSent = true;
        if (next is not null)
        {
            next.EnvelopeWritten = true;
        }

        return Refusal(await ReadReplyAsync(timeout, cancellationToken).ConfigureAwait(false), 250);
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

    /// <summary>Ends a refused transaction, so the next message starts clean.</summary>
    private async Task ResetAsync(CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        if (IsUsable)
        {
            await CommandAsync("RSET\r\n", timeout, cancellationToken).ConfigureAwait(false);
        }
    }

    private SmtpReply? Refusal(SmtpReply reply, int expected)
    {
        if (reply.Code == 421)
        {
            // The server is closing this connection (RFC 5321 3.8): whatever it answers next, it will not be here.
            IsUsable = false;
        }

        return reply.Code == expected ? null : reply;
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

    private async Task<SmtpReply> CommandAsync(string command, CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        await FlushAsync(WriteText(0, command), timeout, cancellationToken).ConfigureAwait(false);
        return await ReadReplyAsync(timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one reply, all its lines: <c>250-…</c> continues, <c>250 …</c> ends (RFC 5321 4.2.1).</summary>
    private async Task<SmtpReply> ReadReplyAsync(CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        timeout.CancelAfter(_options.Timeout);
        var code = 0;
        var text = new StringBuilder();
        for (var lines = 0; lines < MaxReplyLines; lines++)
        {
            var line = await ReadLineAsync(timeout.Token).ConfigureAwait(false);
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var lineCode) || lineCode < 200 || (line.Length > 3 && line[3] is not ' ' and not '-'))
            {
                throw new SmtpProtocolViolationException($"The server's reply is not SMTP: {Printable(line)}");
            }

            if (code != 0 && lineCode != code)
            {
                throw new SmtpProtocolViolationException($"A reply's lines disagree on its code ({code}, then {lineCode}).");
            }

            code = lineCode;
            text.Append(line.Length > 4 ? line.AsSpan(4) : "");
            if (line.Length <= 3 || line[3] == ' ')
            {
                return new SmtpReply(code, text.ToString());
            }

            text.Append('\n');
        }

        throw new SmtpProtocolViolationException($"The server's reply has more than {MaxReplyLines} lines.");
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newLine = _read.AsSpan(_readStart, _readEnd - _readStart).IndexOf((byte)'\n');
            if (newLine >= 0)
            {
                var line = _read.AsSpan(_readStart, newLine);
                _readStart += newLine + 1;
                return Encoding.UTF8.GetString(line.EndsWith((byte)'\r') ? line[..^1] : line);
            }

            if (_readStart > 0)
            {
                _read.AsSpan(_readStart, _readEnd - _readStart).CopyTo(_read);
                _readEnd -= _readStart;
                _readStart = 0;
            }

            if (_readEnd == _read.Length)
            {
                throw new SmtpProtocolViolationException($"A reply line is longer than {MaxReplyLineLength} bytes.");
            }

            var read = await _stream.ReadAsync(_read.AsMemory(_readEnd), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                IsUsable = false;
                throw new IOException($"{_options.Host}:{_options.Port} closed the connection.");
            }

            _readEnd += read;
        }
    }

    private static string Printable(string line) => line.Length > 80 ? string.Concat(line.AsSpan(0, 80), "…") : line;

    private static void Expect(SmtpReply reply, int code, string what)
    {
        if (reply.Code != code)
        {
            throw new SmtpProtocolViolationException($"The server answered {what} with {reply.Code} {reply.Text.Trim()}");
        }
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

    /// <summary>Says goodbye (best effort) and closes.</summary>
    public async ValueTask DisposeAsync()
    {
        if (IsUsable)
        {
            IsUsable = false;
            try
            {
                // Bounded apart from the reply timeout, which each write and read sets again on the source it is given.
                using var limit = new CancellationTokenSource(QuitTimeout);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(limit.Token);
                await FlushAsync(WriteText(0, "QUIT\r\n"), timeout, CancellationToken.None).ConfigureAwait(false);
                await ReadReplyAsync(timeout, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or SmtpProtocolViolationException or ObjectDisposedException)
            {
                // Closing a connection that already broke: nothing left to tell the server.
            }
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }
}

/// <summary>One SMTP reply: its code and its text (the lines of a multi-line reply joined by <c>\n</c>).</summary>
internal readonly record struct SmtpReply(int Code, string Text);

/// <summary>The server refused a command of a transaction (or the message cannot be offered to it); the connection stays usable.</summary>
internal sealed class SmtpReplyException(int code, string text, bool permanentWithoutReply = false) : Exception(text)
{
    public int Code { get; } = code;

    /// <summary>Refused here, before asking the server: nothing it said, and nothing retrying would change.</summary>
    public bool PermanentWithoutReply { get; } = permanentWithoutReply;
}

/// <summary>The server does not speak SMTP as RFC 5321 says (or is hostile): the connection is closed.</summary>
internal sealed class SmtpProtocolViolationException(string message) : Exception(message);
