using Crm.Channels.Replies;
using Crm.Channels.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Chat;

/// <summary>
/// Notices messages written by other host instances: while a visitor's event stream is open here, it reads the
/// store's highest message id every <see cref="ChatOptions.StreamPollInterval"/> (one indexed query for all streams,
/// none when no stream is open) and wakes the streams when it moved. The store stays the only source of truth.
/// </summary>
internal sealed partial class ConversationChangeWatcher(
    ITicketQueryStore store, ConversationChanges changes, IOptions<ChatOptions> options, TimeProvider timeProvider, ILogger<ConversationChangeWatcher> logger) : BackgroundService
{
    private const int MaxChangedTickets = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long latest = -1;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.StreamPollInterval, timeProvider, stoppingToken).ConfigureAwait(false);
                if (changes.Watchers == 0)
                {
                    latest = -1;
                    continue;
                }

                var current = await store.GetLatestMessageIdAsync(stoppingToken).ConfigureAwait(false);
                if (current != latest)
                {
                    // Only the conversations that changed are woken. On the first look after streams opened, all of
                    // them: a write between a stream's own read and this baseline would otherwise wait for a heartbeat.
                    var changed = latest < 0 ? null : await store.GetTicketsWithMessagesAfterAsync(latest, MaxChangedTickets, stoppingToken).ConfigureAwait(false);
                    if (changed is null || changed.Count >= MaxChangedTickets)
                    {
                        changes.NotifyAll();
                    }
                    else
                    {
                        foreach (var ticketId in changed)
                        {
                            changes.Notify(ticketId);
                        }
                    }
                }

                latest = current;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The store is down: streams keep their heartbeats and catch up when it answers again.
                LogWatchFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Could not read the store to notice other instances' messages")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception);
}
