using System.Threading.Channels;
using Crm.Campaigns.Sending;
using Crm.Mail;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Crm.Campaigns.Subscriptions;

/// <summary>
/// Sends confirmation mail off the request path: the public form answers alike, and about as fast, whether the
/// address was new (a mail to send) or already on the list (none), so its timing tells nobody who is subscribed; and
/// a slow or unreachable mail server delays a confirmation instead of the form. DKIM signing happens here too. A mail
/// the server refuses is retried twice, then logged; nothing a send throws ends the loop.
/// </summary>
internal sealed partial class SubscriptionMailer(ICampaignSender sender, IOptions<BulkEmailOptions> options, TimeProvider time, ILogger<SubscriptionMailer> logger) : BackgroundService
{
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)];
    private readonly Channel<MimeMessage> _queue = Channel.CreateBounded<MimeMessage>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly DkimMessageSigner? _dkim = options.Value.Dkim.CreateSigner();

    /// <summary>Queues a confirmation; false (and logged) when the queue is full.</summary>
    public bool TryQueue(MimeMessage message)
    {
        if (_queue.Writer.TryWrite(message))
        {
            return true;
        }

        LogQueueFull(logger);
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await SendAsync(message, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(MimeMessage message, CancellationToken stoppingToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                _dkim?.Sign(message);
                await sender.SendAsync(message, envelopeFrom: null, stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                if (attempt == RetryDelays.Length)
                {
                    LogGaveUp(logger, ex, attempt + 1);
                    return;
                }

                LogRetrying(logger, ex, attempt + 1, RetryDelays[attempt]);
                await Task.Delay(RetryDelays[attempt], time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(EventId = 3503, Level = LogLevel.Warning, Message = "The subscription confirmation queue is full; a confirmation is not sent (the person can ask again)")]
    private static partial void LogQueueFull(ILogger logger);

    [LoggerMessage(EventId = 3504, Level = LogLevel.Warning, Message = "Could not send a subscription confirmation (attempt {Attempt}); retrying in {Delay}")]
    private static partial void LogRetrying(ILogger logger, Exception exception, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 3505, Level = LogLevel.Error, Message = "Gave up sending a subscription confirmation after {Attempts} attempts")]
    private static partial void LogGaveUp(ILogger logger, Exception exception, int attempts);
}
