using System.Diagnostics;
using Crm.Channels.Diagnostics;
using Crm.Channels.Ingestion;
using Crm.Channels.Storage;
using Crm.Channels.Tickets;
using Crm.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Replies;

/// <summary>
/// Delivers queued replies: claims due ones with a lease (so several host instances share the work and a crashed
/// instance's claims are retried after the lease), hands each to its channel's <see cref="IChannelReplySender"/>, and
/// records sent, failed (permanent refusal, or out of attempts) or queued again with exponential backoff and jitter.
/// A reply is never lost to an outage; at most the replies in flight when an instance dies are sent twice.
/// </summary>
internal sealed partial class ReplyOutbox(
    ITicketStore store,
    IReplyOutboxStore outbox,
    IEnumerable<IChannelReplySender> senders,
    IEnumerable<ITicketEventHandler> handlers,
    ConversationChanges changes,
    IOptions<ReplyOutboxOptions> options,
    TimeProvider timeProvider,
    LoopHealthRegistry health,
    ILogger<ReplyOutbox> logger) : BackgroundService
{
    /// <summary>The name its health is reported under (<see cref="LoopHealthRegistry"/>).</summary>
    public const string HealthName = "reply-outbox";

    private readonly LoopHealth _health = health[HealthName];

    private readonly Dictionary<string, IChannelReplySender> _senders = senders
        .GroupBy(s => s.Channel, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(20);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            // Taken before the claim: a reply queued while this round runs wakes the next wait at once.
            var changed = changes.NextChange;
            var claimed = 0;
            var wait = settings.PollInterval;
            try
            {
                claimed = await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                _health.Succeeded();
                // Asleep until woken (a reply queued here), the next retry or lease expiry the store knows of, or the safety poll.
                if (claimed < settings.BatchSize && await outbox.NextReplyDueAsync(stoppingToken).ConfigureAwait(false) is { } due && due - timeProvider.GetUtcNow() < wait)
                {
                    wait = due - timeProvider.GetUtcNow() + MinimumWait;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _health.Failed(ex);
                LogRoundFailed(logger, ex);
            }

            if (claimed < settings.BatchSize)
            {
                try
                {
                    await changed.WaitAsync(wait > MinimumWait ? wait : MinimumWait, timeProvider, stoppingToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Due, or the safety poll: look again.
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Claims and sends one batch of due replies.</summary>
    /// <returns>How many were claimed.</returns>
    internal async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var due = await outbox.ClaimDueRepliesAsync(timeProvider.GetUtcNow(), settings.Lease, settings.BatchSize, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(due.Select(reply => DeliverAsync(reply, cancellationToken))).ConfigureAwait(false);
        return due.Count;
    }

    private async Task DeliverAsync(TicketMessage reply, CancellationToken cancellationToken)
    {
        using var activity = CrmChannelsTelemetry.ActivitySource.StartActivity("crm.channels.reply.send", ActivityKind.Producer);
        activity?.SetTag("crm.channel", reply.Channel);
        activity?.SetTag("crm.ticket_id", reply.TicketId);
        var settings = options.Value;
        ReplyAttemptOutcome outcome;
        TicketDetails? ticket = null;
        try
        {
            ticket = await store.GetTicketDetailsAsync(reply.TicketId, cancellationToken).ConfigureAwait(false);
            if (ticket is null)
            {
                outcome = new ReplyAttemptOutcome(DeliveryStatus.Failed, Error: "The ticket no longer exists.");
            }
            else if (!_senders.TryGetValue(reply.Channel, out var sender))
            {
                outcome = new ReplyAttemptOutcome(DeliveryStatus.Failed, Error: $"No reply sender is registered for channel '{reply.Channel}'.");
            }
            else
            {
                try
                {
                    var delivery = await sender.SendAsync(ticket, reply, cancellationToken).ConfigureAwait(false);
                    outcome = new ReplyAttemptOutcome(delivery.Status, delivery.ExternalMessageId);
                }
                catch (Exception ex) when (!IsTransport(ex))
                {
                    // Not the way to the customer but the reply itself or the sender's code or configuration (a file
                    // that does not parse, a client without its base address): trying again for hours changes nothing.
                    outcome = new ReplyAttemptOutcome(DeliveryStatus.Failed, Error: $"The reply cannot be sent: {ex.GetType().Name}: {ex.Message}");
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the lease runs out and another round (here or elsewhere) sends it.
            return;
        }
        catch (ChannelReplyException ex) when (ex.Permanent)
        {
            outcome = new ReplyAttemptOutcome(DeliveryStatus.Failed, Error: ex.Message);
        }
        catch (Exception ex)
        {
            var error = ex is ChannelReplyException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            outcome = reply.DeliveryAttempts >= settings.MaxAttempts
                ? new ReplyAttemptOutcome(DeliveryStatus.Failed, Error: $"Gave up after {reply.DeliveryAttempts} attempts; last: {error}")
                : new ReplyAttemptOutcome(DeliveryStatus.Queued, Error: error, RetryAt: timeProvider.GetUtcNow() + Backoff(reply.DeliveryAttempts, settings));
        }

        try
        {
            await outbox.RecordReplyAttemptAsync(reply.Id, outcome, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The lease expires and the reply is tried again: at worst sent twice, never lost.
            LogRecordFailed(logger, ex, reply.Id);
            return;
        }

        activity?.SetTag("crm.delivery_status", outcome.Status.ToString().ToLowerInvariant());
        var channelTag = new KeyValuePair<string, object?>("crm.channel", reply.Channel);
        switch (outcome.Status)
        {
            case DeliveryStatus.Queued:
                // This attempt failed even though the reply will be tried again: a trace shows the error it met.
                activity?.SetTag("crm.outcome", "retry");
                activity?.SetStatus(ActivityStatusCode.Error, outcome.Error);
                LogRetrying(logger, reply.Id, reply.Channel, outcome.RetryAt!.Value, outcome.Error);
                break;
            case DeliveryStatus.Failed:
                activity?.SetTag("crm.outcome", "failed");
                activity?.SetStatus(ActivityStatusCode.Error, outcome.Error);
                CrmChannelsTelemetry.RepliesFailed.Add(1, channelTag);
                LogFailed(logger, reply.Id, reply.Channel, outcome.Error);
                break;
            default:
                activity?.SetTag("crm.outcome", "sent");
                CrmChannelsTelemetry.RepliesSent.Add(1, channelTag);
                CrmChannelsTelemetry.OutboxAge.Record((timeProvider.GetUtcNow() - reply.ReceivedAt).TotalSeconds, channelTag);
                LogSent(logger, reply.Id, reply.Channel, reply.TicketId);
                break;
        }

        if (ticket is not null && outcome.Status != DeliveryStatus.Queued)
        {
            var stored = reply with { DeliveryStatus = outcome.Status, DeliveryError = outcome.Error, ExternalMessageId = outcome.ExternalMessageId ?? reply.ExternalMessageId };
            var kind = outcome.Status == DeliveryStatus.Failed ? TicketEventKind.ReplyFailed : TicketEventKind.ReplySent;
            await TicketEvents.RaiseAsync(handlers, new TicketEvent(kind, ticket.Ticket, stored, false), logger, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Errors of the way to the customer, worth another attempt: a <see cref="ChannelReplyException"/> (the sender's own
    /// verdict, temporary or permanent), the network, a timeout, TLS, and the database or files a sender reads. Anything
    /// else a sender throws fails the reply at once.
    /// </summary>
    internal static bool IsTransport(Exception exception) => exception is ChannelReplyException or HttpRequestException or IOException
        or System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException or System.Security.Authentication.AuthenticationException
        or System.Data.Common.DbException;

    /// <summary>Exponential from <see cref="ReplyOutboxOptions.RetryDelay"/>, capped, with ±20 % jitter so retries of many replies spread out.</summary>
    internal static TimeSpan Backoff(int attempts, ReplyOutboxOptions settings)
    {
        var exponential = settings.RetryDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        var capped = Math.Min(exponential, settings.MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Sent reply {MessageId} on {Channel} (ticket {TicketId})")]
    private static partial void LogSent(ILogger logger, long messageId, string channel, long ticketId);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Reply {MessageId} on {Channel} failed for good: {Error}")]
    private static partial void LogFailed(ILogger logger, long messageId, string channel, string? error);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Reply {MessageId} on {Channel} will be retried at {RetryAt}: {Error}")]
    private static partial void LogRetrying(ILogger logger, long messageId, string channel, DateTimeOffset retryAt, string? error);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Error, Message = "Could not record the outcome of reply {MessageId}; it will be tried again when its lease runs out")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, long messageId);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "A round of the reply outbox failed (the store may be unavailable); it tries again")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
