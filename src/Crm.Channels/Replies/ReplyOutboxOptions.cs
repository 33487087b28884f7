using System.ComponentModel.DataAnnotations;

namespace Crm.Channels.Replies;

/// <summary>How the reply outbox delivers agents' replies.</summary>
public sealed class ReplyOutboxOptions
{
    /// <summary>
    /// The safety poll of an idle outbox. It otherwise sleeps until a reply is written on this instance or the next
    /// retry or lease expiry the store knows of; the poll catches replies another instance queued and then died
    /// before sending. Default 30 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a claimed reply is held by one instance before another may retry it (the instance died). Default 2 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The wait before the first retry; it doubles per attempt, with jitter. Default 5 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between retries. Default 15 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How many attempts a reply gets before it is marked failed. Default 50 (about 12 hours at the default delays).</summary>
    [Range(1, 1000)]
    public int MaxAttempts { get; set; } = 50;

    /// <summary>How many replies one instance sends at once. Default 8.</summary>
    [Range(1, 256)]
    public int BatchSize { get; set; } = 8;
}
