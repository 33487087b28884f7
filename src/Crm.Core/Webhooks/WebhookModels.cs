namespace Crm.Webhooks;

/// <summary>Where a receiver wants the CRM's events delivered.</summary>
/// <param name="Id">The endpoint's id.</param>
/// <param name="Url">The receiver's URL (HTTPS outside Development).</param>
/// <param name="Events">The event types it receives (<see cref="Crm.Events.CrmEventTypes"/>), or <c>*</c> for all.</param>
/// <param name="Description">What it is, for people.</param>
/// <param name="Enabled">False while disabled (by a Manager, or after failing for <see cref="OutgoingWebhookOptions.MaxRetryAge"/>).</param>
/// <param name="CreatedAt">When it was added.</param>
public sealed record WebhookEndpoint(long Id, string Url, IReadOnlyList<string> Events, string? Description, bool Enabled, DateTimeOffset CreatedAt)
{
    /// <summary>Why it was disabled, when it was.</summary>
    public string? DisabledReason { get; init; }

    /// <summary>Whether <paramref name="eventType"/> goes to this endpoint.</summary>
    public bool Receives(string eventType) => Events.Contains("*") || Events.Contains(eventType);
}

/// <summary>A new endpoint.</summary>
/// <param name="Url">The receiver's URL.</param>
/// <param name="Events">The event types, or <c>*</c>.</param>
/// <param name="Description">What it is.</param>
/// <param name="Secret">The signing secret (<c>whsec_</c> and base64), shown once to whoever created it.</param>
public sealed record NewWebhookEndpoint(string Url, IReadOnlyList<string> Events, string? Description, string Secret);

/// <summary>Where a delivery stands.</summary>
public enum WebhookDeliveryStatus
{
    /// <summary>Waiting for its first or next attempt.</summary>
    Pending,

    /// <summary>The receiver answered 2xx.</summary>
    Succeeded,

    /// <summary>Every attempt failed for <see cref="OutgoingWebhookOptions.MaxRetryAge"/>: given up (a replay tries again).</summary>
    Failed,
}

/// <summary>One event for one endpoint, and how its delivery went.</summary>
/// <param name="Id">The delivery's id.</param>
/// <param name="EndpointId">The endpoint.</param>
/// <param name="WebhookId">The event's id: the <c>webhook-id</c> header, the same on every attempt and replay.</param>
/// <param name="EventType">The event's type.</param>
/// <param name="Payload">The body sent (UTF-8 JSON), the same on every attempt.</param>
/// <param name="CreatedAt">When the event was queued for this endpoint.</param>
public sealed record WebhookDelivery(long Id, long EndpointId, string WebhookId, string EventType, byte[] Payload, DateTimeOffset CreatedAt)
{
    /// <summary>Where it stands.</summary>
    public WebhookDeliveryStatus Status { get; init; }

    /// <summary>Attempts so far.</summary>
    public int Attempts { get; init; }

    /// <summary>When it is tried next, while pending.</summary>
    public DateTimeOffset NextAttemptAt { get; init; }

    /// <summary>The last attempt's time.</summary>
    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>The last answer's status code, or null when none came (refused address, timeout, connection error).</summary>
    public int? ResponseStatus { get; init; }

    /// <summary>The start of the last answer, or why there was none.</summary>
    public string? ResponseExcerpt { get; init; }

    /// <summary>How long the last attempt took.</summary>
    public int? DurationMilliseconds { get; init; }
}

/// <summary>How one attempt went.</summary>
/// <param name="Succeeded">The receiver answered 2xx.</param>
/// <param name="ResponseStatus">Its status code, if it answered.</param>
/// <param name="ResponseExcerpt">The start of its answer, or why there was none.</param>
/// <param name="DurationMilliseconds">How long it took.</param>
/// <param name="At">When it was made.</param>
public sealed record WebhookAttempt(bool Succeeded, int? ResponseStatus, string? ResponseExcerpt, int DurationMilliseconds, DateTimeOffset At);
