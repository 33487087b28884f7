using System.Diagnostics;

namespace Crm.Testing;

/// <summary>Waits on a condition, not a clock: probes until it holds or a deadline passes, then fails saying what was last seen.</summary>
public static class Poll
{
    /// <summary>Probes every 100 ms until <paramref name="done"/> holds for the probe's value, and returns that value.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what}; last seen: {value}");
            }

            await Task.Delay(100);
        }
    }
}
