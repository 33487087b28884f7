using Crm.Channels.Replies;
using Crm.Channels.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Chat;

/// <summary>
/// Emails chat replies that no widget received within <see cref="ChatOptions.OfflineEmailAfter"/> (the visitor left):
/// claims due replies in the store (once across every host instance) and queues an email copy in the outbox.
/// </summary>
internal sealed partial class ChatOfflineCopies(
    IReplyOutboxStore store, TicketReplies replies, IOptions<ChatOptions> options, TimeProvider timeProvider, ILogger<ChatOfflineCopies> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var after = options.Value.OfflineEmailAfter;
        if (after <= TimeSpan.Zero)
        {
            return;
        }

        // Checked a few times per waiting period, at most every 30 seconds: a copy goes out close to its due time.
        var interval = TimeSpan.FromTicks(Math.Clamp(after.Ticks / 4, TimeSpan.FromMilliseconds(200).Ticks, TimeSpan.FromSeconds(30).Ticks));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, timeProvider, stoppingToken).ConfigureAwait(false);
                foreach (var reply in await store.ClaimDueOfflineCopiesAsync(timeProvider.GetUtcNow(), 50, stoppingToken).ConfigureAwait(false))
                {
                    var copy = await replies.QueueEmailCopyAsync(reply, stoppingToken).ConfigureAwait(false);
                    if (copy is not null)
                    {
                        LogCopied(logger, reply.Id, reply.TicketId);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Chat reply {MessageId} on ticket {TicketId} was not received in the widget in time; an email copy is queued")]
    private static partial void LogCopied(ILogger logger, long messageId, long ticketId);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Could not queue email copies of unseen chat replies; trying again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
