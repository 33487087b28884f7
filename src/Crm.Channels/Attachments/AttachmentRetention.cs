using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Attachments;

/// <summary>
/// Deletes attachment content older than <see cref="AttachmentOptions.Retention"/>, every
/// <see cref="AttachmentOptions.RetentionSweepInterval"/>; does nothing while no retention is set.
/// </summary>
internal sealed partial class AttachmentRetention(IAttachmentStore store, IOptions<AttachmentOptions> options, TimeProvider time, ILogger<AttachmentRetention> logger) : BackgroundService
{
    /// <summary>One sweep; answers how much was deleted.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Retention is not { } retention)
        {
            return 0;
        }

        var deleted = await store.DeleteStoredBeforeAsync(time.GetUtcNow() - retention, cancellationToken).ConfigureAwait(false);
        if (deleted > 0)
        {
            LogSwept(logger, deleted, retention);
        }

        return deleted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Retention is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.RetentionSweepInterval, time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A store outage (a command timeout is an OperationCanceledException too): the next sweep tries again.
                LogSweepFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 2801, Level = LogLevel.Information, Message = "Deleted {Count} attachments kept longer than {Retention}")]
    private static partial void LogSwept(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(EventId = 2802, Level = LogLevel.Warning, Message = "The attachment retention sweep failed; it runs again at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
