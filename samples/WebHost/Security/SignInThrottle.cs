using System.Collections.Concurrent;

namespace Crm.WebHost.Security;

/// <summary>
/// Slows password guessing: after <see cref="MaxFailuresPerUser"/> failed sign-ins for one user name, or
/// <see cref="MaxFailuresPerAddress"/> from one IP address, within <see cref="Window"/>, further attempts for that
/// name or from that address are refused (429 with <c>Retry-After</c>) until the window has passed. A successful
/// sign-in clears the user's count. Counts live in this process (behind a load balancer each instance counts on its own).
/// </summary>
public sealed class SignInThrottle(TimeProvider time)
{
    public const int MaxFailuresPerUser = 5;
    public const int MaxFailuresPerAddress = 20;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private const int MaxTrackedKeys = 100_000;
    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.Ordinal);

    /// <summary>How long the caller must wait before trying again, or null when they may try now.</summary>
    public TimeSpan? RetryAfter(string? userName, string? address)
    {
        var now = time.GetUtcNow();
        var wait = TimeSpan.Zero;
        foreach (var (key, limit) in Keys(userName, address))
        {
            if (_failures.TryGetValue(key, out var failures) && failures.Count(now) >= limit)
            {
                var until = failures.OldestWithin(now) + Window - now;
                wait = until > wait ? until : wait;
            }
        }

        return wait > TimeSpan.Zero ? wait : null;
    }

    public void RecordFailure(string? userName, string? address)
    {
        var now = time.GetUtcNow();
        if (_failures.Count > MaxTrackedKeys)
        {
            // Bounded memory under a spray of names: forget what is outside the window.
            foreach (var (key, failures) in _failures)
            {
                if (failures.Count(now) == 0)
                {
                    _failures.TryRemove(key, out _);
                }
            }
        }

        foreach (var (key, _) in Keys(userName, address))
        {
            _failures.GetOrAdd(key, _ => new Failures()).Add(now);
        }
    }

    public void RecordSuccess(string userName) => _failures.TryRemove(UserKey(userName), out _);

    private static IEnumerable<(string Key, int Limit)> Keys(string? userName, string? address)
    {
        if (!string.IsNullOrEmpty(userName))
        {
            yield return (UserKey(userName), MaxFailuresPerUser);
        }

        if (!string.IsNullOrEmpty(address))
        {
            yield return ("ip:" + address, MaxFailuresPerAddress);
        }
    }

    private static string UserKey(string userName) => "user:" + userName.Trim().ToLowerInvariant();

    private sealed class Failures
    {
        private readonly Queue<DateTimeOffset> _times = new();

        public void Add(DateTimeOffset now)
        {
            lock (_times)
            {
                Prune(now);
                _times.Enqueue(now);
            }
        }

        public int Count(DateTimeOffset now)
        {
            lock (_times)
            {
                Prune(now);
                return _times.Count;
            }
        }

        public DateTimeOffset OldestWithin(DateTimeOffset now)
        {
            lock (_times)
            {
                Prune(now);
                return _times.Count > 0 ? _times.Peek() : now;
            }
        }

        private void Prune(DateTimeOffset now)
        {
            while (_times.Count > 0 && now - _times.Peek() >= Window)
            {
                _times.Dequeue();
            }
        }
    }
}
