namespace Crm.Webhooks;

/// <summary>
/// The outgoing webhooks' endpoints and their durable outbox. Several hosts may share one store: a claimed delivery is
/// leased to one of them, and each endpoint has at most one delivery in flight, its oldest, so a receiver gets its
/// events in order and one slow receiver holds up nobody else.
/// </summary>
public interface IWebhookStore
{
    /// <summary>Adds an endpoint.</summary>
    Task<WebhookEndpoint> CreateEndpointAsync(NewWebhookEndpoint endpoint, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Every endpoint, oldest first (no secrets).</summary>
    Task<IReadOnlyList<WebhookEndpoint>> ListEndpointsAsync(CancellationToken cancellationToken);

    /// <summary>One endpoint, or null.</summary>
    Task<WebhookEndpoint?> GetEndpointAsync(long endpointId, CancellationToken cancellationToken);

    /// <summary>
    /// The secrets a delivery is signed with at <paramref name="now"/>: the current one, and during a rotation's overlap
    /// the previous one too. Empty when there is no such endpoint.
    /// </summary>
    Task<IReadOnlyList<string>> GetSigningSecretsAsync(long endpointId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Makes <paramref name="secret"/> the endpoint's secret; the current one keeps signing beside it until
    /// <paramref name="previousUntil"/>, so a receiver can switch without missing a delivery.
    /// </summary>
    /// <returns>False when there is no such endpoint.</returns>
    Task<bool> RotateSecretAsync(long endpointId, string secret, DateTimeOffset previousUntil, CancellationToken cancellationToken);

    /// <summary>Changes what is given (null: unchanged); enabling clears the disabled reason.</summary>
    /// <returns>The endpoint afterwards, or null.</returns>
    Task<WebhookEndpoint?> UpdateEndpointAsync(long endpointId, string? url, IReadOnlyList<string>? events, string? description, bool? enabled, string? disabledReason, CancellationToken cancellationToken);

    /// <summary>Removes the endpoint and its deliveries.</summary>
    Task<bool> DeleteEndpointAsync(long endpointId, CancellationToken cancellationToken);

    /// <summary>Queues the event for every enabled endpoint that receives its type.</summary>
    /// <returns>How many deliveries were queued.</returns>
    Task<int> EnqueueAsync(string webhookId, string eventType, byte[] payload, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Leases due deliveries to <paramref name="owner"/> until <paramref name="leaseUntil"/>: per enabled endpoint only its
    /// oldest pending delivery, and only when it is due and no other host holds it.
    /// </summary>
    Task<IReadOnlyList<WebhookDelivery>> ClaimDueAsync(int limit, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>
    /// Records an attempt: succeeded, or pending again at <paramref name="retryAt"/>, or failed for good when that is
    /// null. Only the lease's owner may record it.
    /// </summary>
    Task RecordAttemptAsync(long deliveryId, string owner, WebhookAttempt attempt, DateTimeOffset? retryAt, CancellationToken cancellationToken);

    /// <summary>The endpoint's deliveries, newest first, a page at a time.</summary>
    Task<IReadOnlyList<WebhookDelivery>> ListDeliveriesAsync(long endpointId, int page, int pageSize, CancellationToken cancellationToken);

    /// <summary>
    /// Queues deliveries again, keeping their <c>webhook-id</c>: one (<paramref name="deliveryId"/>), or every failed one
    /// of the endpoint created since <paramref name="since"/>.
    /// </summary>
    /// <returns>How many were queued.</returns>
    Task<int> ReplayAsync(long endpointId, long? deliveryId, DateTimeOffset? since, DateTimeOffset now, CancellationToken cancellationToken);
}
