using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Crm.Hosting;

/// <summary>
/// What a background loop (a mailbox watcher, the reply outbox, the campaign dispatcher) last did: the loop reports each
/// round that worked and each that failed, and <see cref="LoopHealthCheck"/> turns it into a health answer. A loop never
/// stops on a failure (it logs, backs off and goes on), so this is how an operator sees one that keeps failing or hangs.
/// </summary>
internal sealed class LoopHealth(TimeProvider time)
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _lastSuccessAt;
    private DateTimeOffset? _failingSince;
    private int _failures;
    private string? _lastError;

    public void Succeeded()
    {
        lock (_gate)
        {
            _lastSuccessAt = time.GetUtcNow();
            _failingSince = null;
            _failures = 0;
            _lastError = null;
        }
    }

    public void Failed(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        lock (_gate)
        {
            _failingSince ??= time.GetUtcNow();
            _failures++;
            _lastError = exception.Message;
        }
    }

    public (DateTimeOffset? LastSuccessAt, DateTimeOffset? FailingSince, int Failures, string? LastError) Read()
    {
        lock (_gate)
        {
            return (_lastSuccessAt, _failingSince, _failures, _lastError);
        }
    }
}

/// <summary>The loops of one host, by name (<c>imap:support</c>, <c>reply-outbox</c>, <c>dispatcher</c>).</summary>
internal sealed class LoopHealthRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, LoopHealth> _loops = new(StringComparer.Ordinal);

    public LoopHealth this[string name] => _loops.GetOrAdd(name, _ => new LoopHealth(time));

    /// <summary>The loop of this name when it has reported, without adding one.</summary>
    public LoopHealth? Find(string name) => _loops.GetValueOrDefault(name);
}

/// <summary>
/// Healthy while the loop's last round worked; Degraded while it fails (it retries by itself); the registration's
/// failure status once it has failed for <paramref name="failingAfter"/>, or when no round finished for
/// <paramref name="stuckAfter"/> (a hang: nothing throws, nothing moves). A loop that has not run yet is healthy.
/// </summary>
internal sealed class LoopHealthCheck(LoopHealth loop, string what, TimeProvider time, TimeSpan failingAfter, TimeSpan? stuckAfter, Func<bool>? running = null) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (lastSuccessAt, failingSince, failures, lastError) = loop.Read();
        var now = time.GetUtcNow();
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["failures"] = failures };
        if (lastSuccessAt is { } success)
        {
            data["lastSuccessAt"] = success;
        }

        if (lastError is not null)
        {
            data["lastError"] = lastError;
        }

        if (running?.Invoke() == false)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"{what} does not run on this instance.", data));
        }

        if (failingSince is { } since)
        {
            var failingFor = now - since;
            var status = failingFor >= failingAfter ? context.Registration.FailureStatus : HealthStatus.Degraded;
            return Task.FromResult(new HealthCheckResult(status, $"{what} has failed {failures} time(s) over {Seconds(failingFor)}, retrying: {lastError}", data: data));
        }

        if (stuckAfter is { } stuck && lastSuccessAt is { } last && now - last >= stuck)
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, $"{what} has not finished a round for {Seconds(now - last)}: it may hang.", data: data));
        }

        return Task.FromResult(HealthCheckResult.Healthy(lastSuccessAt is null ? $"{what} has not run yet." : $"{what} works (last round {Seconds(now - lastSuccessAt.Value)} ago).", data));
    }

    private static string Seconds(TimeSpan span) => $"{Math.Max(0, (int)span.TotalSeconds)} s";
}
