using System.Threading.Channels;
using Crm.Campaigns.Campaigns;
using Microsoft.Extensions.Logging;

namespace Crm.Campaigns.Dispatching;

/// <summary>
/// Records send outcomes in group commits: each commit takes every outcome that arrived while the previous one was
/// written, so the ledger trails the SMTP server by milliseconds, not by a batch. A message holds a permit from before
/// it is sent until its outcome is committed, and there are <c>maxUnrecorded</c> permits: a crash can therefore send at
/// most that many messages twice, however many hosts run and however large their batches.
/// </summary>
internal sealed partial class OutcomeRecorder
{
    private const int MaxGroup = 512;

    /// <summary>The longest an outcome waits for others to share its commit.</summary>
    private static readonly TimeSpan MaxGatherTime = TimeSpan.FromMilliseconds(25);
    private readonly int _gatherPermits;
    private readonly Channel<Entry> _queue = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _permits;
    private readonly ICampaignStore _store;
    private readonly TimeProvider _time;
    private readonly Func<Task> _afterCommit;
    private readonly ILogger _logger;

    public OutcomeRecorder(int maxUnrecorded, ICampaignStore store, TimeProvider time, Func<Task> afterCommit, ILogger logger)
    {
        _permits = new SemaphoreSlim(maxUnrecorded, maxUnrecorded);
        _gatherPermits = Math.Max(1, maxUnrecorded * 3 / 4);
        _store = store;
        _time = time;
        _afterCommit = afterCommit;
        _logger = logger;
    }

    /// <summary>Waits for room before a message is sent (its outcome then holds the permit until it is committed).</summary>
    public Task AcquireAsync(CancellationToken cancellationToken) => _permits.WaitAsync(cancellationToken);

    /// <summary>Hands over an outcome; <paramref name="holdsPermit"/> when <see cref="AcquireAsync"/> was called for it.</summary>
    public void Record(SendAttempt attempt, bool holdsPermit) => _queue.Writer.TryWrite(new Entry(attempt, holdsPermit, null));

    /// <summary>Completes once every outcome handed over before the call is committed.</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Entry(null, false, done)))
        {
            done.TrySetResult();
        }

        return done.Task;
    }

    /// <summary>Commits until <see cref="Complete"/> was called and everything is written.</summary>
    public async Task RunAsync()
    {
        var group = new List<Entry>(MaxGroup);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            group.Clear();
            await GatherAsync(group).ConfigureAwait(false);
            var attempts = group.Where(e => e.Attempt is not null).Select(e => e.Attempt!).ToList();
            await CommitAsync(attempts).ConfigureAwait(false);
            var permits = group.Count(e => e.HoldsPermit);
            if (permits > 0)
            {
                _permits.Release(permits);
            }

            foreach (var flush in group.Where(e => e.Flushed is not null))
            {
                flush.Flushed!.TrySetResult();
            }

            if (attempts.Count > 0)
            {
                try
                {
                    await _afterCommit().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    LogAfterCommitFailed(_logger, ex);
                }
            }
        }
    }

    /// <summary>
    /// Takes outcomes until three quarters of the permits are waiting on this group, a flush asks for it, or
    /// <see cref="MaxGatherTime"/> passed since the first: fewer, larger commits than one per outcome (each costs the
    /// store a transaction), while the ledger stays milliseconds behind.
    /// </summary>
    private async Task GatherAsync(List<Entry> group)
    {
        var started = _time.GetTimestamp();
        var held = 0;
        // One timer for the whole group, not one per arriving outcome: at thousands of outcomes a second, a timer each
        // meant thousands of timer wake-ups a second. Cancelled when the group closes early.
        using var closing = new CancellationTokenSource();
        Task? deadline = null;
        try
        {
            while (true)
            {
                while (group.Count < MaxGroup && _queue.Reader.TryRead(out var entry))
                {
                    group.Add(entry);
                    held += entry.HoldsPermit ? 1 : 0;
                    if (entry.Flushed is not null)
                    {
                        return;
                    }
                }

                var left = MaxGatherTime - _time.GetElapsedTime(started);
                if (group.Count >= MaxGroup || held >= _gatherPermits || left <= TimeSpan.Zero)
                {
                    return;
                }

                deadline ??= Task.Delay(left, _time, closing.Token);
                var more = _queue.Reader.WaitToReadAsync().AsTask();
                if (await Task.WhenAny(more, deadline).ConfigureAwait(false) != more || !await more.ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        finally
        {
            await closing.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>No more outcomes: <see cref="RunAsync"/> ends once what was handed over is written.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>
    /// Writes the group, retrying until the store takes it: these messages were accepted by the server, and forgetting
    /// that would send them again. Senders wait meanwhile (their permits are held).
    /// </summary>
    private async Task CommitAsync(IReadOnlyList<SendAttempt> attempts)
    {
        if (attempts.Count == 0)
        {
            return;
        }

        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                await _store.CompleteAttemptsAsync(attempts, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (Exception ex)
            {
                LogCommitFailed(_logger, ex, attempts.Count, delay);
                await Task.Delay(delay, _time).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private sealed record Entry(SendAttempt? Attempt, bool HoldsPermit, TaskCompletionSource? Flushed);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Error, Message = "Could not record {Count} send outcomes; retrying in {Delay}")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, int count, TimeSpan delay);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Error, Message = "Acting on recorded outcomes (auto-pause) failed")]
    private static partial void LogAfterCommitFailed(ILogger logger, Exception exception);
}
