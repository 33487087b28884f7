using System.Net.Sockets;
using System.Threading.Channels;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Crm.Campaigns.Sending;

/// <summary>
/// <see cref="ICampaignSender"/> over SMTP with MailKit: a pool of up to <see cref="SmtpOptions.MaxConnections"/>
/// connections, each reused for many messages (never a connection per message), opened on sockets with
/// Nagle's algorithm off so pipelined SMTP commands are not held back waiting for ACKs.
/// </summary>
public sealed partial class SmtpCampaignSender : ICampaignSender, IAsyncDisposable
{
    private readonly SmtpOptions _options;
    private readonly ILogger<SmtpCampaignSender> _logger;
    private readonly Channel<PooledConnection?> _pool;
    private int _disposed;

    /// <summary>Creates the sender; connections open on first use.</summary>
    public SmtpCampaignSender(IOptions<SmtpOptions> options, ILogger<SmtpCampaignSender> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _pool = Channel.CreateBounded<PooledConnection?>(_options.MaxConnections);
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
        var connection = await _pool.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (connection is null || !connection.Client.IsConnected || connection.Sent >= _options.MessagesPerConnection)
            {
                if (connection is not null)
                {
                    await connection.CloseAsync().ConfigureAwait(false);
                }

                connection = null;
                connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            }

            if (envelopeFrom is null)
            {
                await connection.Client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var recipients = message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes).ToList();
                await connection.Client.SendAsync(message, envelopeFrom, recipients, cancellationToken).ConfigureAwait(false);
            }
            connection.Sent++;
        }
        catch (SmtpCommandException ex)
        {
            // The server answered: 5xx is this recipient's permanent failure, 4xx a temporary one. The connection stays usable.
            var status = (int)ex.StatusCode;
            throw new CampaignSendException($"The SMTP server answered {status}: {ex.Message.Trim()}", isPermanent: status >= 500, status, ex);
        }
        catch (Exception ex) when (ex is SmtpProtocolException or IOException or SocketException or ServiceNotConnectedException or SslHandshakeException or AuthenticationException or TimeoutException)
        {
            // The connection is gone or untrustworthy: drop it, and let the dispatcher retry later.
            LogConnectionLost(_logger, ex, _options.Host, _options.Port);
            if (connection is not null)
            {
                await connection.CloseAsync().ConfigureAwait(false);
                connection = null;
            }

            throw new CampaignSendException($"The connection to {_options.Host}:{_options.Port} failed: {ex.Message}", isPermanent: false, innerException: ex);
        }
        catch (OperationCanceledException)
        {
            // A cancelled send leaves the SMTP dialogue in an unknown state: never reuse that connection.
            if (connection is not null)
            {
                await connection.CloseAsync().ConfigureAwait(false);
                connection = null;
            }

            throw;
        }
        finally
        {
            _pool.Writer.TryWrite(connection);
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
            if (connection is not null)
            {
                await connection.CloseAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<PooledConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new ChunkingSmtpClient { Timeout = (int)_options.Timeout.TotalMilliseconds };
        if (!string.IsNullOrEmpty(_options.LocalDomain))
        {
            client.LocalDomain = _options.LocalDomain;
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_options.Host, _options.Port, cancellationToken).ConfigureAwait(false);
            await client.ConnectAsync(socket, _options.Host, _options.Port, ToMailKit(_options.Security, _options.Port), cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(_options.UserName))
            {
                await client.AuthenticateAsync(_options.UserName, _options.Password ?? "", cancellationToken).ConfigureAwait(false);
            }

            LogConnected(_logger, _options.Host, _options.Port);
            return new PooledConnection(client);
        }
        catch
        {
            client.Dispose();
            socket.Dispose();
            throw;
        }
    }

    private static SecureSocketOptions ToMailKit(SmtpSecurity security, int port) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTlsWhenAvailable,
    };

    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "Opened an SMTP connection to {Host}:{Port}")]
    private static partial void LogConnected(ILogger logger, string host, int port);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Lost the SMTP connection to {Host}:{Port}")]
    private static partial void LogConnectionLost(ILogger logger, Exception exception, string host, int port);

    /// <summary>
    /// Sends by <c>BDAT</c> (RFC 3030) where the server offers <c>CHUNKING</c>, as Postfix, Exchange and Gmail do: one
    /// round trip less than <c>DATA</c>'s <c>354</c>, and no dot-stuffing pass over every byte. MailKit prefers
    /// <c>DATA</c> because <c>BDAT</c> needs the size first, one more serialisation; a campaign message's body is
    /// already serialised (<c>SerializedBody</c>), so measuring it is a copy. Servers without <c>CHUNKING</c> get <c>DATA</c>.
    /// </summary>
    private sealed class ChunkingSmtpClient : SmtpClient
    {
        protected override bool PreferSendAsBinaryData => true;
    }

    private sealed class PooledConnection(SmtpClient client)
    {
        public SmtpClient Client { get; } = client;

        public int Sent { get; set; }

        public async Task CloseAsync()
        {
            try
            {
                if (Client.IsConnected)
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await Client.DisconnectAsync(quit: true, timeout.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or SmtpProtocolException or SmtpCommandException or OperationCanceledException or ServiceNotConnectedException)
            {
                // Closing a connection that already broke: nothing left to tell the server.
            }
            finally
            {
                Client.Dispose();
            }
        }
    }
}
