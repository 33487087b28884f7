using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Crm.Testing;

/// <summary>
/// A minimal SMTP server that answers chosen recipients as scripted (<c>550</c>, or any reply such as a <c>451</c>
/// throttle) and accepts everything else: smtp-sink can only refuse every recipient at once, and per-recipient and
/// per-domain answers are the cases under test. With <see cref="Chunking"/> it also offers <c>CHUNKING</c> and
/// <c>SIZE</c> (RFC 3030, as Postfix, Exchange and Gmail do) and takes messages by <c>BDAT</c>.
/// </summary>
public sealed class ScriptedSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, string?> _recipientReply;
    private readonly List<(string Recipient, DateTimeOffset At)> _acceptedAt = [];
    private readonly List<string> _refused = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _accepted = [];
    private readonly List<(string Command, string Content)> _messages = [];
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

    /// <summary>Offer <c>CHUNKING</c> and <c>SIZE</c> in the EHLO reply; set before the first connection.</summary>
    public bool Chunking { get; init; }

    /// <summary>Every message taken, with the command that carried it (<c>DATA</c>, dot-stuffing undone, or <c>BDAT</c>).</summary>
    public IReadOnlyList<(string Command, string Content)> Messages
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
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 scripted ESMTP");
        var recipients = new List<string>();
        var bdat = new StringBuilder();
        try
        {
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var command = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (command)
                {
                    case "EHLO":
                        await writer.WriteLineAsync(Chunking ? "250-scripted\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-CHUNKING\r\n250 8BITMIME" : "250-scripted\r\n250 8BITMIME");
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
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var content = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } data && data != ".")
                        {
                            content.Append(data.StartsWith('.') ? data[1..] : data).Append("\r\n");
                        }

                        Take(recipients, "DATA", content.ToString());
                        await writer.WriteLineAsync("250 OK queued");
                        break;
                    case "BDAT" when Chunking:
                        // BDAT <size> [LAST]: exactly size bytes follow the command line, no dot-stuffing. The
                        // messages under test are 7-bit, so a character is a byte.
                        var arguments = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        var chunk = new char[int.Parse(arguments[1], System.Globalization.CultureInfo.InvariantCulture)];
                        await reader.ReadBlockAsync(chunk, _stop.Token);
                        bdat.Append(chunk);
                        if (arguments.Length > 2 && arguments[2].Equals("LAST", StringComparison.OrdinalIgnoreCase))
                        {
                            Take(recipients, "BDAT", bdat.ToString());
                            bdat.Clear();
                            await writer.WriteLineAsync("250 OK queued");
                        }
                        else
                        {
                            await writer.WriteLineAsync("250 OK chunk");
                        }

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
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client hung up.
        }
    }

    private void Take(List<string> recipients, string command, string content)
    {
        lock (_accepted)
        {
            _accepted.AddRange(recipients);
            _acceptedAt.AddRange(recipients.Select(r => (r, DateTimeOffset.UtcNow)));
            _messages.Add((command, content));
        }

        recipients.Clear();
    }
}
