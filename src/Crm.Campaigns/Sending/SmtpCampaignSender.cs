using System.Net.Sockets;
using System.Threading.Channels;
using System.Security.Authentication;
using Crm.Mail.OAuth;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Crm.Campaigns.Sending;

/// <summary>
/// <see cref="ICampaignSender"/> over SMTP: up to <see cref="SmtpOptions.MaxConnections"/> connections, each reused for
/// many messages (never a connection per message) and each driven by a lane that takes messages from one queue. Each
/// connection speaks SMTP itself (<see cref="SmtpConnection"/>): with <c>PIPELINING</c> the next message's envelope goes
/// in the same write as the previous message's end, so a message costs one round trip; with <c>BDAT</c> envelope and
/// message go in one write. Measured against MailKit's own send path on the same messages, that is the difference
/// between half and all of what the server can take. TLS is .NET's, authentication MailKit's SASL mechanisms.
/// </summary>
public sealed partial class SmtpCampaignSender : ICampaignSender, ICampaignTransportProbe, IAsyncDisposable
{
    /// <summary>The name the campaign sender's OAuth connection is known by (admin, <c>/health</c>).</summary>
    public const string OAuthConnectionName = "smtp:campaigns";

    private readonly SmtpOptions _options;
    private readonly MailOAuthTokens? _tokens;
    private readonly ILogger<SmtpCampaignSender> _logger;
    private readonly Channel<SendRequest> _queue = Channel.CreateUnbounded<SendRequest>();
    private readonly Lazy<Task[]> _lanes;
    private int _disposed;

    /// <summary>Set once a connection opened: before that, a refused connection means the settings, not the moment.</summary>
    private volatile bool _connectedOnce;

    /// <summary>Creates the sender; connections open on first use.</summary>
    public SmtpCampaignSender(IOptions<SmtpOptions> options, ILogger<SmtpCampaignSender> logger)
        : this(options, null, logger)
    {
    }

    /// <summary>Creates the sender with the token cache <see cref="SmtpOptions.OAuth"/> signs in with.</summary>
    internal SmtpCampaignSender(IOptions<SmtpOptions> options, MailOAuthTokens? tokens, ILogger<SmtpCampaignSender> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _tokens = tokens;
        _logger = logger;
        _lanes = new Lazy<Task[]>(StartLanes);
    }

    /// <summary>
    /// How many messages may be in flight at once: two per connection, so that when a message's end is written the next
    /// one is already waiting and its envelope goes in the same write.
    /// </summary>
    public int Concurrency => _options.MaxConnections * 2;

    /// <inheritdoc />
    public async Task SendAsync(MimeMessage message, MailboxAddress? envelopeFrom, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        var from = envelopeFrom ?? message.Sender ?? message.From.Mailboxes.FirstOrDefault()
            ?? throw new CampaignSendException("The message has neither an envelope sender nor a From address.", isPermanent: true);
        var recipients = message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes).ToList();
        if (recipients.Count == 0)
        {
            throw new CampaignSendException("The message has no recipients.", isPermanent: true);
        }

        var request = new SendRequest(message, from, recipients, cancellationToken);
        _ = _lanes.Value;
        if (!_queue.Writer.TryWrite(request))
        {
            throw new ObjectDisposedException(nameof(SmtpCampaignSender));
        }

        // Cancelled while still queued: given back at once. Once a lane took it, the lane's reads and writes are cancelled
        // instead, and the message is not the caller's to dispose before the lane is done with it.
        using var registration = cancellationToken.Register(static state => ((SendRequest)state!).CancelIfQueued(), request);
        await request.Task.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        if (_lanes.IsValueCreated)
        {
            // Lanes finish what they hold and close their connections (QUIT).
            await Task.WhenAll(_lanes.Value).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts one lane per connection. They must not inherit the first caller's execution context: its activity and
    /// other async-local state would otherwise be the lanes' for as long as the sender lives.
    /// </summary>
    private Task[] StartLanes()
    {
        using var _ = ExecutionContext.SuppressFlow();
        return [.. Enumerable.Range(0, _options.MaxConnections).Select(_ => Task.Run(RunLaneAsync))];
    }

    /// <summary>One connection's loop: takes the next queued message, or the one already pipelined behind the last.</summary>
    private async Task RunLaneAsync()
    {
        var lane = new Lane(this);
        try
        {
            SendRequest? carried = null;
            while (true)
            {
                var request = carried;
                carried = null;
                if (request is null)
                {
                    if (!await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
                    {
                        return;
                    }

                    if (!_queue.Reader.TryRead(out request) || !request.TryStart())
                    {
                        continue;
                    }
                }

                carried = await lane.SendAsync(request).ConfigureAwait(false);
            }
        }
        finally
        {
            await CloseAsync(lane.Connection).ConfigureAwait(false);
        }
    }

    /// <summary>A message handed to the lanes, and its outcome for the caller.</summary>
    private sealed class SendRequest(MimeMessage message, MailboxAddress from, IReadOnlyList<MailboxAddress> recipients, CancellationToken cancellationToken)
        : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        private const int Queued = 0;
        private const int Taken = 1;
        private const int CancelledInQueue = 2;
        private int _state;

        public MimeMessage Message { get; } = message;

        public MailboxAddress From { get; } = from;

        public IReadOnlyList<MailboxAddress> Recipients { get; } = recipients;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        /// <summary>The transaction prepared on the lane's current connection, if any.</summary>
        public SmtpTransaction? Transaction { get; set; }

        /// <summary>Claims the request for a lane; false when its caller gave up while it was queued.</summary>
        public bool TryStart() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

        public void CancelIfQueued()
        {
            if (Interlocked.CompareExchange(ref _state, CancelledInQueue, Queued) == Queued)
            {
                TrySetCanceled(CancellationToken);
            }
        }
    }

    /// <summary>One connection and the two transactions it alternates between: the message being sent and the next.</summary>
    private sealed class Lane(SmtpCampaignSender sender)
    {
        private readonly SmtpTransaction _first = new();
        private readonly SmtpTransaction _second = new();
        private SmtpTransaction? _current;
        private SendRequest? _next;

        public SmtpConnection? Connection { get; private set; }

        /// <summary>
        /// Sends <paramref name="request"/> and completes it; returns the request whose envelope went behind its end, to
        /// be sent next on this lane (null when none was waiting).
        /// </summary>
        public async Task<SendRequest?> SendAsync(SendRequest request)
        {
            var options = sender._options;
            _next = null;
            // Whether a failure happened before the server accepted a session: "could not connect" tells an operator
            // to check the host, port, TLS and credentials, where "the connection failed" suggests a flaky network.
            var opening = false;
            try
            {
                for (var attempt = 0; ; attempt++)
                {
                    if (request.CancellationToken.IsCancellationRequested && request.Transaction is { EnvelopeWritten: true })
                    {
                        // Its envelope went behind the previous message's end: the server now waits for this message,
                        // and whatever came next on the connection would become it. The connection goes with it.
                        Connection?.Abandon();
                    }

                    request.CancellationToken.ThrowIfCancellationRequested();
                    if (Connection is not { IsUsable: true } || Connection.Sent >= options.MessagesPerConnection)
                    {
                        await sender.CloseAsync(Connection).ConfigureAwait(false);
                        Connection = null;
                        Forget(request);
                        Forget(_next);
                        opening = true;
                        Connection = await sender.OpenAsync(request.CancellationToken).ConfigureAwait(false);
                        opening = false;
                    }

                    var reused = Connection.Sent > 0;
                    _current = request.Transaction ??= Connection.Prepare(request.Message, request.From, request.Recipients, Other(null));
                    try
                    {
                        await Connection.SendAsync(_current, TakeNext, request.CancellationToken).ConfigureAwait(false);
                        request.TrySetResult();
                        return _next;
                    }
                    catch (Exception ex) when (IsConnectionFailure(ex) && reused && attempt == 0 && !_current.EndSent)
                    {
                        // A connection that sat idle may have been closed by the server (idle timeouts, restarts) and broke
                        // before the message's end was sent, so the server cannot have it: once more on a fresh connection.
                        LogStaleConnection(sender._logger, options.Host, options.Port, ex.Message);
                    }
                }
            }
            catch (SmtpReplyException ex)
            {
                // The server answered: 5xx is this recipient's permanent failure, 4xx a temporary one. The connection stays usable.
                request.TrySetException(Refused(ex));
            }
            catch (OperationCanceledException ex) when (request.CancellationToken.IsCancellationRequested)
            {
                request.TrySetCanceled(ex.CancellationToken);
            }
            catch (Exception ex) when (IsConnectionFailure(ex) && opening)
            {
                LogCouldNotConnect(sender._logger, ex, options.Host, options.Port);
                request.TrySetException(new CampaignSendException($"Could not connect to {options.Host}:{options.Port}: {ex.Message}", isPermanent: false, innerException: ex)
                {
                    TransportNeverConnected = !sender._connectedOnce,
                });
            }
            catch (Exception ex) when (IsConnectionFailure(ex))
            {
                // The connection is gone or untrustworthy (it marked itself unusable; closed below): the dispatcher retries later.
                LogConnectionLost(sender._logger, ex, options.Host, options.Port);
                request.TrySetException(new CampaignSendException($"The connection to {options.Host}:{options.Port} failed: {ex.Message}", isPermanent: false, innerException: ex));
            }
            catch (Exception ex)
            {
                request.TrySetException(ex);
            }
            finally
            {
                request.Transaction = null;
                // A connection that failed, timed out, was told 421 or was cancelled mid-dialogue marked itself unusable:
                // it is closed here, never reused.
                if (Connection is { IsUsable: false })
                {
                    await sender.CloseAsync(Connection).ConfigureAwait(false);
                    Connection = null;
                }
            }

            // The next message's envelope went out on a connection that is now closed: it starts afresh on a new one.
            if (Connection is null)
            {
                Forget(_next);
            }

            return _next;
        }

        /// <summary>
        /// The next queued message, prepared on this connection, for its envelope to go behind the current message's end;
        /// none when the connection is about to be replaced or nothing is waiting.
        /// </summary>
        private SmtpTransaction? TakeNext()
        {
            if (_next is not null || Connection is null || Connection.Sent + 1 >= sender._options.MessagesPerConnection)
            {
                return null;
            }

            while (sender._queue.Reader.TryRead(out var candidate))
            {
                if (!candidate.TryStart())
                {
                    continue;
                }

                try
                {
                    candidate.Transaction = Connection.Prepare(candidate.Message, candidate.From, candidate.Recipients, Other(_current));
                    _next = candidate;
                    return candidate.Transaction;
                }
                catch (SmtpReplyException ex)
                {
                    candidate.TrySetException(Refused(ex));
                }
                catch (Exception ex)
                {
                    candidate.TrySetException(ex);
                }
            }

            return null;
        }

        private SmtpTransaction Other(SmtpTransaction? inUse) => ReferenceEquals(inUse, _first) ? _second : _first;

        private static void Forget(SendRequest? request)
        {
            if (request is not null)
            {
                request.Transaction = null;
            }
        }
    }

    private static CampaignSendException Refused(SmtpReplyException ex) => ex.PermanentWithoutReply
        ? new CampaignSendException(ex.Message, isPermanent: true, ex.Code, ex)
        : new CampaignSendException($"The SMTP server answered {ex.Code}: {ex.Message.Trim()}", isPermanent: ex.Code >= 500, ex.Code, ex);

    private static bool IsConnectionFailure(Exception ex) =>
        ex is IOException or SocketException or SmtpProtocolViolationException or AuthenticationException or TimeoutException or ObjectDisposedException or MailKit.Security.SaslException
        or MailOAuthRefusedException or HttpRequestException;

    string ICampaignTransportProbe.Destination => $"the SMTP server {_options.Host}:{_options.Port}";

    /// <summary>Opens a session as a send would (TLS and AUTH included) and closes it: the health check's probe.</summary>
    async Task ICampaignTransportProbe.ProbeAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await CloseAsync(connection).ConfigureAwait(false);
    }

    private async Task<SmtpConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await SmtpConnection.OpenAsync(_options, _tokens, cancellationToken).ConfigureAwait(false);
        _connectedOnce = true;
        LogConnected(_logger, _options.Host, _options.Port);
        return connection;
    }

    /// <summary>
    /// Closes a connection, best effort: nothing a failed goodbye throws may stop a lane, or every message queued behind
    /// it would wait forever.
    /// </summary>
    private async Task CloseAsync(SmtpConnection? connection)
    {
        if (connection is null)
        {
            return;
        }

        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogCloseFailed(_logger, ex, _options.Host, _options.Port);
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "Opened an SMTP connection to {Host}:{Port}")]
    private static partial void LogConnected(ILogger logger, string host, int port);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "Could not connect to the SMTP server {Host}:{Port}")]
    private static partial void LogCouldNotConnect(ILogger logger, Exception exception, string host, int port);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Lost the SMTP connection to {Host}:{Port}")]
    private static partial void LogConnectionLost(ILogger logger, Exception exception, string host, int port);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Debug, Message = "Closing an SMTP connection to {Host}:{Port} failed")]
    private static partial void LogCloseFailed(ILogger logger, Exception exception, string host, int port);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Debug, Message = "A reused SMTP connection to {Host}:{Port} was gone ({Reason}); sending on a fresh one")]
    private static partial void LogStaleConnection(ILogger logger, string host, int port, string reason);
}
