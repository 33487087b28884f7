using System.Net.Sockets;
using System.Threading.Channels;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Crm.Campaigns.Sending;

/// <summary>
/// <see cref="ICampaignSender"/> over SMTP: a pool of up to <see cref="SmtpOptions.MaxConnections"/> connections, each
/// reused for many messages (never a connection per message). Each connection speaks SMTP itself
/// (<see cref="SmtpConnection"/>): envelope and <c>DATA</c> pipelined in one write, the message in one more, or both in
/// one with <c>BDAT</c> — measured against MailKit's own send path on the same messages, that is the difference between
/// half and all of what the server can take. TLS is .NET's, authentication MailKit's SASL mechanisms.
/// </summary>
public sealed partial class SmtpCampaignSender : ICampaignSender, IAsyncDisposable
{
    private readonly SmtpOptions _options;
    private readonly ILogger<SmtpCampaignSender> _logger;
    private readonly Channel<SmtpConnection?> _pool;
    private int _disposed;

    /// <summary>Creates the sender; connections open on first use.</summary>
    public SmtpCampaignSender(IOptions<SmtpOptions> options, ILogger<SmtpCampaignSender> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _pool = Channel.CreateBounded<SmtpConnection?>(_options.MaxConnections);
        for (var i = 0; i < _options.MaxConnections; i++)
        {
            _pool.Writer.TryWrite(null);
        }
    }

    /// <summary>How many messages may be in flight at once: one per pooled connection.</summary>
    public int Concurrency => _options.MaxConnections;

    /// <inheritdoc />
    public async Task SendAsync(MimeMessage message, MailboxAddress? envelopeFrom, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var from = envelopeFrom ?? message.Sender ?? message.From.Mailboxes.FirstOrDefault()
            ?? throw new CampaignSendException("The message has neither an envelope sender nor a From address.", isPermanent: true);
        var recipients = message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes).ToList();
        if (recipients.Count == 0)
        {
            throw new CampaignSendException("The message has no recipients.", isPermanent: true);
        }

        var connection = await _pool.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                if (connection is null || !connection.IsUsable || connection.Sent >= _options.MessagesPerConnection)
                {
                    await CloseAsync(connection).ConfigureAwait(false);
                    connection = null;
                    connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
                }

                var reused = connection.Sent > 0;
                try
                {
                    await connection.SendAsync(message, from, recipients, cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (Exception ex) when (IsConnectionFailure(ex) && reused && attempt == 0 && !connection.MessageMayHaveBeenAccepted)
                {
                    // A connection that sat idle may have been closed by the server (idle timeouts, restarts) and broke
                    // before the message's end was sent, so the server cannot have it: once more on a fresh connection.
                    LogStaleConnection(_logger, _options.Host, _options.Port, ex.Message);
                }
            }
        }
        catch (SmtpReplyException ex)
        {
            // The server answered: 5xx is this recipient's permanent failure, 4xx a temporary one. The connection stays usable.
            throw ex.PermanentWithoutReply
                ? new CampaignSendException(ex.Message, isPermanent: true, ex.Code, ex)
                : new CampaignSendException($"The SMTP server answered {ex.Code}: {ex.Message.Trim()}", isPermanent: ex.Code >= 500, ex.Code, ex);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            // The connection is gone or untrustworthy (it marked itself unusable; the finally closes it): the dispatcher retries later.
            LogConnectionLost(_logger, ex, _options.Host, _options.Port);
            throw new CampaignSendException($"The connection to {_options.Host}:{_options.Port} failed: {ex.Message}", isPermanent: false, innerException: ex);
        }
        finally
        {
            // A connection that failed, timed out, was told 421 or was cancelled mid-dialogue marked itself unusable:
            // it is closed here, never reused.
            _pool.Writer.TryWrite(connection is { IsUsable: true } ? connection : null);
            if (connection is { IsUsable: false })
            {
                await CloseAsync(connection).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        while (_pool.Reader.TryRead(out var connection))
        {
            await CloseAsync(connection).ConfigureAwait(false);
        }
    }

    private static bool IsConnectionFailure(Exception ex) =>
        ex is IOException or SocketException or SmtpProtocolViolationException or AuthenticationException or TimeoutException or ObjectDisposedException or MailKit.Security.SaslException;

    private async Task<SmtpConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await SmtpConnection.OpenAsync(_options, cancellationToken).ConfigureAwait(false);
        LogConnected(_logger, _options.Host, _options.Port);
        return connection;
    }

    private static async Task CloseAsync(SmtpConnection? connection)
    {
        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "Opened an SMTP connection to {Host}:{Port}")]
    private static partial void LogConnected(ILogger logger, string host, int port);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Lost the SMTP connection to {Host}:{Port}")]
    private static partial void LogConnectionLost(ILogger logger, Exception exception, string host, int port);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Debug, Message = "A reused SMTP connection to {Host}:{Port} was gone ({Reason}); sending on a fresh one")]
    private static partial void LogStaleConnection(ILogger logger, string host, int port, string reason);
}
