using System.Globalization;
using System.Text;

namespace Crm.Campaigns.Sending;

/// <summary>Commands and the server's replies: read line by line into a fixed buffer, bounded in length and count.</summary>
internal sealed partial class SmtpConnection
{
    private SmtpReply? Refusal(SmtpReply reply, int expected)
    {
        if (reply.Code == 421)
        {
            // The server is closing this connection (RFC 5321 3.8): whatever it answers next, it will not be here.
            IsUsable = false;
        }

        return reply.Code == expected ? null : reply;
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
}
