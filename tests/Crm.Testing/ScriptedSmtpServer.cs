using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Crm.Testing;

/// <summary>
/// A minimal SMTP server that answers chosen recipients as scripted (<c>550</c>, or any reply such as a <c>451</c>
/// throttle) and accepts everything else: smtp-sink can only refuse every recipient at once, and per-recipient and
/// per-domain answers are the cases under test. With <see cref="Chunking"/> it also offers <c>CHUNKING</c> and
/// <c>SIZE</c> (RFC 3030, as Postfix, Exchange and Gmail do) and takes messages by <c>BDAT</c>; with
/// <see cref="Pipelining"/>, <see cref="Certificate"/> (STARTTLS), <see cref="Credentials"/> (AUTH PLAIN and/or LOGIN,
/// required before MAIL), <see cref="SmtpUtf8"/> and <see cref="MaxSize"/> it offers those extensions as a real server
/// would, and <see cref="CloseAfterMessages"/> makes it hang up as servers do on idle or counted connections.
/// </summary>
public sealed class ScriptedSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, string?> _recipientReply;
    private readonly List<(string Recipient, DateTimeOffset At)> _acceptedAt = [];
    private readonly List<string> _refused = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _accepted = [];
    private readonly List<(string Command, string Content, bool Secure)> _messages = [];
    private readonly List<string> _commands = [];
    private readonly Task _loop;

    public ScriptedSmtpServer(Func<string, bool> refuseRecipient)
        : this(address => refuseRecipient(address) ? "550 5.1.1 No such user here" : null)
    {
    }

    /// <summary>Answers each RCPT with <paramref name="recipientReply"/>'s line, or 250 when it answers null.</summary>
    public ScriptedSmtpServer(Func<string, string?> recipientReply)
    {
        _recipientReply = recipientReply;
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Offer <c>CHUNKING</c>, <c>PIPELINING</c> and <c>SIZE</c> in the EHLO reply; set before the first connection.</summary>
    public bool Chunking { get; init; }

    /// <summary>Offer <c>PIPELINING</c>.</summary>
    public bool Pipelining { get; init; }

    /// <summary>Offer <c>STARTTLS</c> with this certificate.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>Offer <c>AUTH PLAIN LOGIN</c> and require these credentials before <c>MAIL</c>.</summary>
    public NetworkCredential? Credentials { get; init; }

    /// <summary>The mechanisms offered with <see cref="Credentials"/>: <c>PLAIN</c>, <c>LOGIN</c> or both.</summary>
    public string AuthMechanisms { get; init; } = "PLAIN LOGIN";

    /// <summary>
    /// Offer <c>AUTH XOAUTH2</c> (and <c>OAUTHBEARER</c> with <see cref="OAuthBearer"/>) and require a token this
    /// accepts (user, token) before <c>MAIL</c>; a refused token gets Google's error challenge, then <c>535</c>.
    /// </summary>
    public Func<string, string, bool>? AcceptToken { get; init; }

    /// <summary>With <see cref="AcceptToken"/>: offer <c>OAUTHBEARER</c> too.</summary>
    public bool OAuthBearer { get; init; }

    /// <summary>Offer <c>SMTPUTF8</c> (RFC 6531).</summary>
    public bool SmtpUtf8 { get; init; }

    /// <summary>Offer <c>SIZE</c> with this limit and refuse larger messages.</summary>
    public long? MaxSize { get; init; }

    /// <summary>Hang up (no reply, no 421) after this many messages on the first connection; later connections stay up.</summary>
    public int? CloseAfterMessages { get; init; }

    /// <summary>Answers the end of each message's content with this line instead of 250 when it returns one (the message is then not taken).</summary>
    public Func<string, string?>? ContentReply { get; init; }

    /// <summary>
    /// Before answering the end of a message's content, wait up to this long for the client's next command: one that
    /// arrives meanwhile was pipelined behind the message's end (counted in <see cref="PipelinedEnds"/>).
    /// </summary>
    public TimeSpan? WaitForPipelinedCommand { get; init; }

    /// <summary>How many message ends had the client's next command behind them, unanswered (see <see cref="WaitForPipelinedCommand"/>).</summary>
    public int PipelinedEnds => Volatile.Read(ref _pipelinedEnds);

    private int _pipelinedEnds;

    /// <summary>Leave <c>QUIT</c> unanswered and the connection open, as a hung server would.</summary>
    public bool IgnoreQuit { get; init; }

    /// <summary>How many connections were accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    private int _connections;

    /// <summary>Every command line received, in order (AUTH arguments included), across connections.</summary>
    public IReadOnlyList<string> Commands
    {
        get
        {
            lock (_accepted)
            {
                return [.. _commands];
            }
        }
    }

    /// <summary>Every message taken, with the command that carried it (<c>DATA</c>, dot-stuffing undone, or <c>BDAT</c>) and whether TLS was on.</summary>
    public IReadOnlyList<(string Command, string Content, bool Secure)> Messages
    {
        get
        {
            lock (_accepted)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>The recipients of the messages accepted (one per DATA).</summary>
    public IReadOnlyList<string> Accepted
    {
        get
        {
            lock (_accepted)
            {
                return [.. _accepted];
            }
        }
    }

    /// <summary>The recipients of the messages accepted, with when.</summary>
    public IReadOnlyList<(string Recipient, DateTimeOffset At)> AcceptedAt
    {
        get
        {
            lock (_accepted)
            {
                return [.. _acceptedAt];
            }
        }
    }

    /// <summary>The recipients answered with a scripted reply, once per RCPT.</summary>
    public IReadOnlyList<string> Refused
    {
        get
        {
            lock (_accepted)
            {
                return [.. _refused];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var first = Interlocked.Increment(ref _connections) == 1;
        Stream stream = client.GetStream();
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        var reader = new StreamReader(stream, utf8);
        var writer = new StreamWriter(stream, utf8) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 scripted ESMTP");
        var recipients = new List<string>();
        var bdat = new StringBuilder();
        var secure = false;
        var authenticated = Credentials is null && AcceptToken is null;
        var taken = 0;
        try
        {
            Task<string?>? pipelined = null;
            while ((pipelined is null ? await reader.ReadLineAsync(_stop.Token) : await pipelined) is { } line)
            {
                pipelined = null;
                lock (_accepted)
                {
                    _commands.Add(line);
                }

                var command = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (command)
                {
                    case "EHLO":
                        await writer.WriteLineAsync(string.Join("\r\n", Ehlo(secure)));
                        break;
                    case "STAR" when Certificate is not null && !secure && line.Equals("STARTTLS", StringComparison.OrdinalIgnoreCase):
                        await writer.WriteLineAsync("220 2.0.0 Ready to start TLS");
                        var tls = new SslStream(stream);
                        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = Certificate }, _stop.Token);
                        stream = tls;
                        reader = new StreamReader(stream, utf8);
                        writer = new StreamWriter(stream, utf8) { NewLine = "\r\n", AutoFlush = true };
                        secure = true;
                        break;
                    case "AUTH" when AcceptToken is not null:
                        authenticated = await AuthenticateWithTokenAsync(line, reader, writer);
                        await writer.WriteLineAsync(authenticated ? "235 2.7.0 Accepted" : "535 5.7.8 Username and Password not accepted. For more information, go to https://support.example/mail/?p=BadCredentials");
                        break;
                    case "AUTH" when Credentials is not null:
                        authenticated = await AuthenticateAsync(line, reader, writer);
                        await writer.WriteLineAsync(authenticated ? "235 2.7.0 Authentication successful" : "535 5.7.8 Authentication credentials invalid");
                        break;
                    case "MAIL" when !authenticated:
                        await writer.WriteLineAsync("530 5.7.0 Authentication required");
                        break;
                    case "MAIL" when MaxSize is { } max && SizeParameter(line) > max:
                        await writer.WriteLineAsync("552 5.3.4 Message size exceeds fixed limit");
                        break;
                    case "HELO":
                    case "MAIL":
                    case "RSET":
                    case "NOOP":
                        recipients.Clear();
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RCPT":
                        var address = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Trim('<', '>');
                        if (_recipientReply(address) is { } reply)
                        {
                            lock (_accepted)
                            {
                                _refused.Add(address);
                            }

                            await writer.WriteLineAsync(reply);
                        }
                        else
                        {
                            recipients.Add(address);
                            await writer.WriteLineAsync("250 OK");
                        }

                        break;
                    case "DATA" when recipients.Count == 0:
                        await writer.WriteLineAsync("554 5.5.1 No valid recipients");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var content = new StringBuilder();
                        string? data;
                        while ((data = await reader.ReadLineAsync(_stop.Token)) is not null && data != ".")
                        {
                            content.Append(data.StartsWith('.') ? data[1..] : data).Append("\r\n");
                        }

                        if (data is null)
                        {
                            // The client hung up before the message's end: as a real server does, nothing is taken.
                            return;
                        }

                        var contentReply = ContentReply?.Invoke(content.ToString());
                        if (contentReply is null)
                        {
                            Take(recipients, "DATA", content.ToString(), secure);
                            if (++taken == CloseAfterMessages && first)
                            {
                                return;
                            }
                        }
                        else
                        {
                            recipients.Clear();
                        }

                        if (WaitForPipelinedCommand is { } wait)
                        {
                            pipelined = reader.ReadLineAsync(_stop.Token).AsTask();
                            if (await Task.WhenAny(pipelined, Task.Delay(wait, _stop.Token)) == pipelined)
                            {
                                Interlocked.Increment(ref _pipelinedEnds);
                            }
                        }

                        await writer.WriteLineAsync(contentReply ?? "250 OK queued");
                        break;
                    case "BDAT" when Chunking:
                        // BDAT <size> [LAST]: exactly size bytes follow the command line, no dot-stuffing. The
                        // messages under test are 7-bit, so a character is a byte.
                        var arguments = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        var chunk = new char[int.Parse(arguments[1], System.Globalization.CultureInfo.InvariantCulture)];
                        await reader.ReadBlockAsync(chunk, _stop.Token);
                        if (recipients.Count == 0)
                        {
                            // RFC 3030: the chunk is read and thrown away when the transaction failed.
                            await writer.WriteLineAsync("554 5.5.1 No valid recipients");
                            break;
                        }

                        bdat.Append(chunk);
                        if (arguments.Length > 2 && arguments[2].Equals("LAST", StringComparison.OrdinalIgnoreCase))
                        {
                            Take(recipients, "BDAT", bdat.ToString(), secure);
                            bdat.Clear();
                            if (++taken == CloseAfterMessages && first)
                            {
                                return;
                            }

                            await writer.WriteLineAsync("250 OK queued");
                        }
                        else
                        {
                            await writer.WriteLineAsync("250 OK chunk");
                        }

                        break;
                    case "QUIT" when IgnoreQuit:
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 Command not implemented");
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            // The client hung up (or refused our certificate).
        }
    }

    private IEnumerable<string> Ehlo(bool secure)
    {
        var extensions = new List<string> { "scripted", "8BITMIME" };
        if (Pipelining || Chunking)
        {
            extensions.Add("PIPELINING");
        }

        if (Chunking)
        {
            extensions.Add("CHUNKING");
        }

        if (Chunking || MaxSize is not null)
        {
            extensions.Add($"SIZE {MaxSize ?? 52428800}");
        }

        if (SmtpUtf8)
        {
            extensions.Add("SMTPUTF8");
        }

        if (Certificate is not null && !secure)
        {
            extensions.Add("STARTTLS");
        }

        if (Credentials is not null)
        {
            extensions.Add("AUTH " + AuthMechanisms);
        }
        else if (AcceptToken is not null)
        {
            extensions.Add(OAuthBearer ? "AUTH XOAUTH2 OAUTHBEARER" : "AUTH XOAUTH2");
        }

        return extensions.Select((e, i) => (i == extensions.Count - 1 ? "250 " : "250-") + e);
    }

    /// <summary>The SASL initial response: sent with AUTH (RFC 4954), or asked for with an empty challenge.</summary>
    private async Task<string> InitialResponseAsync(string[] words, StreamReader reader, StreamWriter writer)
    {
        if (words.Length > 2)
        {
            return words[2];
        }

        await writer.WriteLineAsync("334 ");
        return await reader.ReadLineAsync(_stop.Token) ?? "";
    }

    private async Task<bool> AuthenticateWithTokenAsync(string line, StreamReader reader, StreamWriter writer)
    {
        // XOAUTH2: "user=" user ^A "auth=Bearer " token ^A ^A; OAUTHBEARER (RFC 7628): "n,a=" user "," ^A ... "auth=Bearer " token ^A ^A.
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var response = await InitialResponseAsync(words, reader, writer);

        var fields = Encoding.UTF8.GetString(Convert.FromBase64String(response)).Split('\u0001', StringSplitOptions.RemoveEmptyEntries);
        var user = fields.Select(f => f.StartsWith("user=", StringComparison.Ordinal) ? f[5..] : f.StartsWith("n,a=", StringComparison.Ordinal) ? f[4..].TrimEnd(',') : null).FirstOrDefault(u => u is not null) ?? "";
        var token = fields.Select(f => f.StartsWith("auth=Bearer ", StringComparison.Ordinal) ? f[12..] : null).FirstOrDefault(t => t is not null) ?? "";
        if (AcceptToken!(user, token))
        {
            return true;
        }

        // The error challenge Gmail sends; the client answers with an empty line before the final 535.
        await writer.WriteLineAsync("334 " + Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}""")));
        await reader.ReadLineAsync(_stop.Token);
        return false;
    }

    private async Task<bool> AuthenticateAsync(string line, StreamReader reader, StreamWriter writer)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        static string Decode(string base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        if (words[1].Equals("PLAIN", StringComparison.OrdinalIgnoreCase))
        {
            var response = await InitialResponseAsync(words, reader, writer);

            var fields = Decode(response).Split('\0');
            return fields.Length == 3 && fields[1] == Credentials!.UserName && fields[2] == Credentials.Password;
        }

        await writer.WriteLineAsync("334 VXNlcm5hbWU6");
        var user = Decode(await reader.ReadLineAsync(_stop.Token) ?? "");
        await writer.WriteLineAsync("334 UGFzc3dvcmQ6");
        var password = Decode(await reader.ReadLineAsync(_stop.Token) ?? "");
        return user == Credentials!.UserName && password == Credentials.Password;
    }

    private static long SizeParameter(string mailFrom)
    {
        var size = mailFrom.Split(' ').FirstOrDefault(p => p.StartsWith("SIZE=", StringComparison.OrdinalIgnoreCase));
        return size is null ? 0 : long.Parse(size[5..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private void Take(List<string> recipients, string command, string content, bool secure)
    {
        lock (_accepted)
        {
            _accepted.AddRange(recipients);
            _acceptedAt.AddRange(recipients.Select(r => (r, DateTimeOffset.UtcNow)));
            _messages.Add((command, content, secure));
        }

        recipients.Clear();
    }
}
