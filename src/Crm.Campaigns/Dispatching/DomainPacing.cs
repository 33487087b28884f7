using System.Collections.Concurrent;

namespace Crm.Campaigns.Dispatching;

/// <summary>
/// Paces sending per receiving domain, as the providers throttle: a concurrency and a rate limit for the domains
/// configured, and for every domain a deferral after it answered 4xx (throttled, greylisted), growing while it keeps
/// doing so. A recipient whose domain has no room now is handed back with the time to try again — its worker moves
/// on, so the rest of the campaign keeps flowing.
/// </summary>
internal sealed class DomainPacing(IReadOnlyDictionary<string, DomainLimit> limits, TimeSpan baseDeferral, TimeProvider time)
{
    /// <summary>How long a worker waits for its domain's next slot before handing the recipient back.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxDeferral = TimeSpan.FromMinutes(30);
    private readonly ConcurrentDictionary<string, DomainState> _domains = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The receiving domain of an address, lower-cased.</summary>
    public static string DomainOf(string address)
    {
        var at = address.LastIndexOf('@');
        return at < 0 ? "" : address[(at + 1)..].ToLowerInvariant();
    }

    /// <summary>Takes a slot for one message to <paramref name="domain"/>, waiting briefly; or answers when to try again.</summary>
    /// <returns>The slot (dispose it once the message is handed over), or null and the time the recipient may come back.</returns>
    public async Task<(IDisposable? Slot, DateTimeOffset RetryAt)> EnterAsync(string domain, CancellationToken cancellationToken)
    {
        var state = StateOf(domain);
        var now = time.GetUtcNow();
        if (state.DeferredUntil > now)
        {
            return (null, state.DeferredUntil);
        }

        if (state.Connections is { } connections && !await connections.WaitAsync(MaxWait, cancellationToken).ConfigureAwait(false))
        {
            return (null, time.GetUtcNow() + MaxWait);
        }

        var release = new Slot(state.Connections);
        if (state.Interval is { } interval)
        {
            TimeSpan wait;
            lock (state)
            {
                var at = state.NextSendAt > now ? state.NextSendAt : now;
                wait = at - now;
                if (wait > MaxWait)
                {
                    release.Dispose();
                    return (null, at);
                }

                state.NextSendAt = at + interval;
            }

            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }
        }

        return (release, default);
    }

    /// <summary>The domain answered 4xx: nothing more goes to it until the deferral passes (doubling while it repeats).</summary>
    /// <returns>When the domain may be tried again.</returns>
    public DateTimeOffset Defer(string domain)
    {
        var state = StateOf(domain);
        lock (state)
        {
            var now = time.GetUtcNow();
            if (state.DeferredUntil <= now)
            {
                state.Deferrals++;
                var delay = baseDeferral * Math.Pow(2, Math.Min(state.Deferrals - 1, 10));
                state.DeferredUntil = now + (delay > MaxDeferral ? MaxDeferral : delay);
            }

            return state.DeferredUntil;
        }
    }

    /// <summary>The domain took a message: its deferrals start over.</summary>
    public void Accepted(string domain)
    {
        if (_domains.TryGetValue(domain, out var state) && state.Deferrals > 0)
        {
            lock (state)
            {
                state.Deferrals = 0;
            }
        }
    }

    private DomainState StateOf(string domain) => _domains.GetOrAdd(domain, d => new DomainState(limits.TryGetValue(d, out var limit) ? limit : null));

    private sealed class DomainState(DomainLimit? limit)
    {
        public SemaphoreSlim? Connections { get; } = limit is { MaxConcurrency: > 0 } ? new SemaphoreSlim(limit.MaxConcurrency, limit.MaxConcurrency) : null;

        public TimeSpan? Interval { get; } = limit is { MessagesPerSecond: > 0 } ? TimeSpan.FromSeconds(1 / limit.MessagesPerSecond) : null;

        public DateTimeOffset NextSendAt { get; set; }

        public DateTimeOffset DeferredUntil { get; set; }

        public int Deferrals { get; set; }
    }

    private sealed class Slot(SemaphoreSlim? connections) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                connections?.Release();
            }
        }
    }
}
