namespace Crm.Webhooks;

/// <summary>Endpoints and deliveries in process memory: for tests and demos; everything is lost on restart.</summary>
internal sealed class InMemoryWebhookStore : IWebhookStore
{
    private readonly Lock _gate = new();
    private readonly List<(WebhookEndpoint Endpoint, Secrets Secret)> _endpoints = [];
    private readonly List<Row> _deliveries = [];
    private long _nextEndpointId;
    private long _nextDeliveryId;

    public Task<WebhookEndpoint> CreateEndpointAsync(NewWebhookEndpoint endpoint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        lock (_gate)
        {
            var created = new WebhookEndpoint(++_nextEndpointId, endpoint.Url, [.. endpoint.Events], endpoint.Description, true, now);
            _endpoints.Add((created, new Secrets(endpoint.Secret, null, null)));
            return Task.FromResult(created);
        }
    }

    public Task<IReadOnlyList<WebhookEndpoint>> ListEndpointsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<WebhookEndpoint>>(_endpoints.Select(e => e.Endpoint).ToList());
        }
    }

    public Task<WebhookEndpoint?> GetEndpointAsync(long endpointId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_endpoints.Where(e => e.Endpoint.Id == endpointId).Select(e => e.Endpoint).FirstOrDefault());
        }
    }

    public Task<IReadOnlyList<string>> GetSigningSecretsAsync(long endpointId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var secrets = _endpoints.Where(e => e.Endpoint.Id == endpointId).Select(e => e.Secret).FirstOrDefault();
            return Task.FromResult<IReadOnlyList<string>>(secrets is null ? [] : secrets.At(now));
        }
    }

    public Task<bool> RotateSecretAsync(long endpointId, string secret, DateTimeOffset previousUntil, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var index = _endpoints.FindIndex(e => e.Endpoint.Id == endpointId);
            if (index < 0)
            {
                return Task.FromResult(false);
            }

            var (endpoint, current) = _endpoints[index];
            _endpoints[index] = (endpoint, new Secrets(secret, current.Current, previousUntil));
            return Task.FromResult(true);
        }
    }

    public Task<WebhookEndpoint?> UpdateEndpointAsync(long endpointId, string? url, IReadOnlyList<string>? events, string? description, bool? enabled, string? disabledReason, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var index = _endpoints.FindIndex(e => e.Endpoint.Id == endpointId);
            if (index < 0)
            {
                return Task.FromResult<WebhookEndpoint?>(null);
            }

            var (current, secret) = _endpoints[index];
            var isEnabled = enabled ?? current.Enabled;
            var updated = current with
            {
                Url = url ?? current.Url,
                Events = events is null ? current.Events : [.. events],
                Description = description ?? current.Description,
                Enabled = isEnabled,
                DisabledReason = isEnabled ? null : disabledReason ?? current.DisabledReason,
            };
            _endpoints[index] = (updated, secret);
            return Task.FromResult<WebhookEndpoint?>(updated);
        }
    }

    public Task<bool> DeleteEndpointAsync(long endpointId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _deliveries.RemoveAll(d => d.Delivery.EndpointId == endpointId);
            return Task.FromResult(_endpoints.RemoveAll(e => e.Endpoint.Id == endpointId) > 0);
        }
    }

    public Task<int> EnqueueAsync(string webhookId, string eventType, byte[] payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var receivers = _endpoints.Where(e => e.Endpoint.Enabled && e.Endpoint.Receives(eventType)).ToList();
            foreach (var (endpoint, _) in receivers)
            {
                _deliveries.Add(new Row(new WebhookDelivery(++_nextDeliveryId, endpoint.Id, webhookId, eventType, payload, now) { NextAttemptAt = now }));
            }

            return Task.FromResult(receivers.Count);
        }
    }

    public Task<IReadOnlyList<WebhookDelivery>> ClaimDueAsync(int limit, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var enabled = _endpoints.Where(e => e.Endpoint.Enabled).Select(e => e.Endpoint.Id).ToHashSet();
            var claimed = _deliveries
                .Where(d => d.Delivery.Status == WebhookDeliveryStatus.Pending && enabled.Contains(d.Delivery.EndpointId))
                .GroupBy(d => d.Delivery.EndpointId)
                .Select(g => g.MinBy(d => d.Delivery.Id)!)
                .Where(d => d.Delivery.NextAttemptAt <= now && (d.LeaseUntil is null || d.LeaseUntil <= now))
                .OrderBy(d => d.Delivery.NextAttemptAt)
                .Take(limit)
                .ToList();
            foreach (var row in claimed)
            {
                row.Owner = owner;
                row.LeaseUntil = leaseUntil;
            }

            return Task.FromResult<IReadOnlyList<WebhookDelivery>>(claimed.Select(d => d.Delivery).ToList());
        }
    }

    public Task RecordAttemptAsync(long deliveryId, string owner, WebhookAttempt attempt, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        lock (_gate)
        {
            var row = _deliveries.Find(d => d.Delivery.Id == deliveryId);
            if (row is null || row.Owner != owner)
            {
                return Task.CompletedTask;
            }

            row.Delivery = row.Delivery with
            {
                Status = attempt.Succeeded ? WebhookDeliveryStatus.Succeeded : retryAt is null ? WebhookDeliveryStatus.Failed : WebhookDeliveryStatus.Pending,
                Attempts = row.Delivery.Attempts + 1,
                NextAttemptAt = retryAt ?? row.Delivery.NextAttemptAt,
                LastAttemptAt = attempt.At,
                ResponseStatus = attempt.ResponseStatus,
                ResponseExcerpt = attempt.ResponseExcerpt,
                DurationMilliseconds = attempt.DurationMilliseconds,
            };
            row.Owner = null;
            row.LeaseUntil = null;
            return Task.CompletedTask;
        }
    }

    public Task<IReadOnlyList<WebhookDelivery>> ListDeliveriesAsync(long endpointId, int page, int pageSize, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<WebhookDelivery>>(_deliveries
                .Where(d => d.Delivery.EndpointId == endpointId)
                .OrderByDescending(d => d.Delivery.Id)
                .Skip((page - 1) * pageSize)
                .Take(pageSize)
                .Select(d => d.Delivery)
                .ToList());
        }
    }

    public Task<int> ReplayAsync(long endpointId, long? deliveryId, DateTimeOffset? since, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var replayed = _deliveries
                .Where(d => d.Delivery.EndpointId == endpointId)
                .Where(d => deliveryId is { } one ? d.Delivery.Id == one : d.Delivery.Status == WebhookDeliveryStatus.Failed && (since is null || d.Delivery.CreatedAt >= since))
                .Where(d => d.Delivery.Status != WebhookDeliveryStatus.Pending)
                .ToList();
            foreach (var row in replayed)
            {
                // A new delivery of the same event (same webhook-id), queued behind what is waiting now.
                _deliveries.Add(new Row(new WebhookDelivery(++_nextDeliveryId, endpointId, row.Delivery.WebhookId, row.Delivery.EventType, row.Delivery.Payload, now) { NextAttemptAt = now }));
            }

            return Task.FromResult(replayed.Count);
        }
    }

    private sealed record Secrets(string Current, string? Previous, DateTimeOffset? PreviousUntil)
    {
        public IReadOnlyList<string> At(DateTimeOffset now) => Previous is not null && PreviousUntil > now ? [Current, Previous] : [Current];
    }

    private sealed class Row(WebhookDelivery delivery)
    {
        public WebhookDelivery Delivery { get; set; } = delivery;

        public string? Owner { get; set; }

        public DateTimeOffset? LeaseUntil { get; set; }
    }
}
