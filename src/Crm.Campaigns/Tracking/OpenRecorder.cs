using System.Threading.Channels;
using Crm.Campaigns.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Campaigns.Tracking;

/// <summary>
/// Takes pixel hits off the request path: each valid hit is queued and answered at once, and the queue is written to
/// the store in batches (every <see cref="TrackingOptions.OpenFlushInterval"/>) in one transaction each. Counting stays
/// exact — every queued open is written once, and stopping the host writes what is left — while a burst of hits costs
/// one database write per batch instead of one per hit. A full queue slows the pixel down; it never drops an open.
/// A crash (<c>kill -9</c>) loses at most the opens of the last interval: unsubscribes, which must never be lost,
/// are written synchronously instead.
/// </summary>
internal sealed partial class OpenRecorder : BackgroundService
{
    private const int MaxBatch = 10_000;
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    private readonly Channel<OpenEvent> _queue;
    private readonly ITrackingStore _store;
    private readonly TimeProvider _time;
    private readonly TrackingOptions _options;
    private readonly ILogger<OpenRecorder> _logger;

    /// <summary>Creates the recorder.</summary>
    public OpenRecorder(ITrackingStore store, TimeProvider time, IOptions<TrackingOptions> options, ILogger<OpenRecorder> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _queue = Channel.CreateBounded<OpenEvent>(new BoundedChannelOptions(_options.OpenQueueCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
    }

    /// <summary>Queues one open.</summary>
    public ValueTask RecordAsync(long campaignId, long recipientId, CancellationToken cancellationToken)
        => RecordAsync(new OpenEvent(campaignId, recipientId, _time.GetUtcNow()), cancellationToken);

    /// <summary>Queues one open, person's or machine's.</summary>
    public ValueTask RecordAsync(OpenEvent open, CancellationToken cancellationToken)
        => _queue.Writer.WriteAsync(open, cancellationToken);

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<OpenEvent>(MaxBatch);
        // Runs until the queue is completed and empty, so StopAsync's completion drains it even after stoppingToken fires.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (!stoppingToken.IsCancellationRequested && _options.OpenFlushInterval > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(_options.OpenFlushInterval, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: write what is queued now.
                }
            }

            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var open))
            {
                batch.Add(open);
            }

            await WriteAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    /// <summary>
    /// Writes the batch, retrying until the store takes it: a store outage delays opens, it never drops them and never
    /// ends the recorder (an exception escaping a background service stops the whole host). The wait doubles up to
    /// <see cref="MaxRetryDelay"/>; meanwhile the bounded queue fills and slows the pixel down instead of losing hits.
    /// </summary>
    private async Task WriteAsync(List<OpenEvent> batch)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var recorded = await _store.RecordOpensAsync(batch, _options.MachineOpenWindow, CancellationToken.None).ConfigureAwait(false);
                CrmCampaignsTelemetry.Opens.Add(recorded);
                return;
            }
            catch (Exception ex)
            {
                LogWriteFailed(_logger, ex, batch.Count, attempt, delay);
                await Task.Delay(delay, _time).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Could not record {Count} opens (attempt {Attempt}); retrying in {Delay}")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count, int attempt, TimeSpan delay);
}
