using System.ComponentModel.DataAnnotations;

namespace Crm.Webhooks;

/// <summary>Outgoing webhooks (<c>Crm:Webhooks</c>): how deliveries are made, retried and kept safe.</summary>
public sealed class OutgoingWebhookOptions
{
    /// <summary>
    /// Lets endpoints resolve to loopback, private, link-local and cloud-metadata addresses. Off by default: a webhook
    /// URL is chosen by a person with an API key, and must never reach inside the host's own network.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>One attempt's limit, connection and answer included.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How much of an answer is read (the rest is not waited for) and kept in the delivery log.</summary>
    [Range(0, 64 * 1024)]
    public int MaxResponseBytes { get; set; } = 1024;

    /// <summary>How long a delivery is retried (exponential backoff with jitter) before it fails and its endpoint is disabled.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan MaxRetryAge { get; set; } = TimeSpan.FromDays(3);

    /// <summary>The first retry's delay; each next one doubles, up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between two attempts.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How often an idle dispatcher looks for due deliveries (a new event wakes it at once in this host).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How many endpoints are delivered to at once.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 16;

    /// <summary>How long a host holds a claimed delivery before another may take it over (a host that died).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);
}
