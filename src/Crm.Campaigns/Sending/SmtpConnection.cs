using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Crm.Mail.OAuth;

namespace Crm.Campaigns.Sending;

/// <summary>
/// One SMTP connection of <see cref="SmtpCampaignSender"/>, speaking the protocol itself so a message costs as few round
/// trips and copies as the server allows: with <c>PIPELINING</c> (RFC 2920) the envelope and <c>DATA</c> go in one write
/// and the message, dot-stuffed in one pass over bytes already serialised, in a second; with <c>CHUNKING</c> (RFC 3030)
/// envelope and message go in one write (<c>BDAT … LAST</c>, no dot-stuffing). Servers without either get one command
/// at a time. <c>SIZE</c> (RFC 1870), <c>8BITMIME</c> (RFC 6152) and <c>SMTPUTF8</c> (RFC 6531) are used when offered
/// and needed; TLS is <see cref="SslStream"/>; authentication uses MailKit's SASL mechanisms.
/// </summary>
internal sealed partial class SmtpConnection : IAsyncDisposable
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
    private readonly MailOAuthTokens? _tokens;
    private readonly byte[] _read = new byte[MaxReplyLineLength];
    private Stream _stream;
    private int _readStart;
    private int _readEnd;
    private byte[] _write = new byte[32 * 1024];
    private Extensions _extensions;
    private long _maxSize;
    private string[] _authMechanisms = [];

    private SmtpConnection(Socket socket, Stream stream, SmtpOptions options, MailOAuthTokens? tokens)
    {
        _socket = socket;
        _stream = stream;
        _options = options;
        _tokens = tokens;
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
    /// <param name="options">The server and how to reach it.</param>
    /// <param name="tokens">The token cache, when <see cref="SmtpOptions.OAuth"/> is configured.</param>
    /// <param name="cancellationToken">Stops the attempt.</param>
    public static async Task<SmtpConnection> OpenAsync(SmtpOptions options, MailOAuthTokens? tokens, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        SmtpConnection? connection = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Timeout);
            await socket.ConnectAsync(options.Host, options.Port, timeout.Token).ConfigureAwait(false);
            var implicitTls = options.Security == SmtpSecurity.SslOnConnect || (options.Security == SmtpSecurity.Auto && options.Port == 465);
            connection = new SmtpConnection(socket, new NetworkStream(socket, ownsSocket: true), options, tokens);
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

        if (_options.OAuth.IsEnabled)
        {
            var tokens = _tokens ?? throw new InvalidOperationException("OAuth is configured but no token cache was given.");
            // A refusal marks the connection "needs reconnect" and throws: no fallback to a password.
            // XOAUTH2 only: MailKit's OAUTHBEARER needs the server's address set by MailKit's own clients, and every
            // provider that takes OAuth for SMTP (Microsoft 365, Gmail) takes XOAUTH2.
            await tokens.SignInAsync(SmtpCampaignSender.OAuthConnectionName, _options.UserName!, _authMechanisms, canUseOAuthBearer: false, (sasl, ct) => AuthenticateWithAsync(sasl, timeout, ct), cancellationToken).ConfigureAwait(false);
        }
        else if (!string.IsNullOrEmpty(_options.UserName))
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
        await AuthenticateWithAsync(sasl, timeout, cancellationToken).ConfigureAwait(false);
    }

    private async Task AuthenticateWithAsync(MailKit.Security.SaslMechanism sasl, CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        if (_authMechanisms.Length == 0)
        {
            throw new AuthenticationException($"{_options.Host}:{_options.Port} does not offer authentication, but a user name is configured.");
        }

        var name = sasl.MechanismName;
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

    /// <summary>Ends a refused transaction, so the next message starts clean.</summary>
    private async Task ResetAsync(CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        if (IsUsable)
        {
            await CommandAsync("RSET\r\n", timeout, cancellationToken).ConfigureAwait(false);
        }
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
