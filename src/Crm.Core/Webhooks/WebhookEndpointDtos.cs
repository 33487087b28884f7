namespace Crm.Webhooks;

/// <summary>The body of <c>POST /webhooks/endpoints</c>.</summary>
/// <param name="Url">The receiver's URL: HTTPS outside Development, a public address unless private networks are allowed.</param>
/// <param name="Events">Event types (<see cref="Crm.Events.CrmEventTypes"/>), or <c>["*"]</c> for all.</param>
/// <param name="Description">What it is, for people.</param>
public sealed record CreateWebhookEndpointRequest(string? Url, IReadOnlyList<string>? Events, string? Description);

/// <summary>The body of <c>PATCH /webhooks/endpoints/{id}</c>: what is given changes.</summary>
/// <param name="Url">A new URL.</param>
/// <param name="Events">New event types.</param>
/// <param name="Description">A new description.</param>
/// <param name="Enabled">False disables it; true re-enables it (after it was disabled for failing).</param>
public sealed record UpdateWebhookEndpointRequest(string? Url, IReadOnlyList<string>? Events, string? Description, bool? Enabled);

/// <summary>The body of <c>POST /webhooks/endpoints/{id}/replay</c>: one delivery, or every failed one since a time.</summary>
/// <param name="DeliveryId">The delivery to send again.</param>
/// <param name="Since">Failed deliveries created since then (all failed ones when neither is given).</param>
public sealed record ReplayWebhookRequest(long? DeliveryId, DateTimeOffset? Since);

/// <summary>The body of <c>POST /webhooks/endpoints/{id}/rotate-secret</c>.</summary>
/// <param name="OverlapSeconds">How long the old secret keeps signing beside the new one (default a day; 0 ends it now).</param>
public sealed record RotateWebhookSecretRequest(int? OverlapSeconds);

/// <summary>A new signing secret, shown once.</summary>
/// <param name="Secret">The new secret.</param>
/// <param name="PreviousValidUntil">Until when deliveries carry the old secret's signature too.</param>
public sealed record WebhookSecretDto(string Secret, DateTimeOffset PreviousValidUntil);

/// <summary>An endpoint as the API shows it: never its secret, except once, when it is created.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Url">Its URL.</param>
/// <param name="Events">Its event types.</param>
/// <param name="Description">Its description.</param>
/// <param name="Enabled">Whether deliveries are made.</param>
/// <param name="DisabledReason">Why it was disabled.</param>
/// <param name="CreatedAt">When it was added.</param>
/// <param name="Secret">The signing secret: only in the answer to its creation.</param>
public sealed record WebhookEndpointDto(long Id, string Url, IReadOnlyList<string> Events, string? Description, bool Enabled, string? DisabledReason, DateTimeOffset CreatedAt, string? Secret = null)
{
    internal static WebhookEndpointDto From(WebhookEndpoint e, string? secret = null) => new(e.Id, e.Url, e.Events, e.Description, e.Enabled, e.DisabledReason, e.CreatedAt, secret);
}

/// <summary>One delivery in the log.</summary>
/// <param name="Id">Its id (replay it by this).</param>
/// <param name="EventType">The event's type.</param>
/// <param name="WebhookId">The <c>webhook-id</c> it is sent with.</param>
/// <param name="Status"><c>pending</c>, <c>succeeded</c> or <c>failed</c>.</param>
/// <param name="Attempts">Attempts so far.</param>
/// <param name="ResponseStatus">The last answer's status code.</param>
/// <param name="ResponseExcerpt">The start of the last answer, or why there was none.</param>
/// <param name="DurationMilliseconds">How long the last attempt took.</param>
/// <param name="LastAttemptAt">When it was last tried.</param>
/// <param name="NextAttemptAt">When it is tried next, while pending.</param>
/// <param name="CreatedAt">When it was queued.</param>
public sealed record WebhookDeliveryDto(
    long Id, string EventType, string WebhookId, string Status, int Attempts, int? ResponseStatus, string? ResponseExcerpt, int? DurationMilliseconds,
    DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt, DateTimeOffset CreatedAt)
{
    internal static WebhookDeliveryDto From(WebhookDelivery d) => new(
        d.Id, d.EventType, d.WebhookId, d.Status.ToString().ToLowerInvariant(), d.Attempts, d.ResponseStatus, d.ResponseExcerpt, d.DurationMilliseconds,
        d.LastAttemptAt, d.Status == WebhookDeliveryStatus.Pending ? d.NextAttemptAt : null, d.CreatedAt);
}

/// <summary>A page of the delivery log, newest first.</summary>
/// <param name="Items">The deliveries.</param>
/// <param name="Page">The page number.</param>
/// <param name="PageSize">Its size.</param>
public sealed record WebhookDeliveryPageDto(IReadOnlyList<WebhookDeliveryDto> Items, int Page, int PageSize);
