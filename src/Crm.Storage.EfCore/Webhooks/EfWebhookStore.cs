using Crm.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace Crm.Storage.EfCore.Webhooks;

/// <summary>The EF Core <see cref="IWebhookStore"/>, over any context that applied <c>ApplyCrmWebhooks()</c>.</summary>
/// <typeparam name="TContext">The database context.</typeparam>
internal sealed class EfWebhookStore<TContext>(IDbContextFactory<TContext> contexts) : IWebhookStore
    where TContext : DbContext
{
    private const string Pending = "pending";
    private const string Succeeded = "succeeded";
    private const string Failed = "failed";

    public async Task<WebhookEndpoint> CreateEndpointAsync(NewWebhookEndpoint endpoint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = new WebhookEndpointRecord
        {
            Url = endpoint.Url,
            Events = string.Join(' ', endpoint.Events),
            Description = endpoint.Description,
            Secret = endpoint.Secret,
            Enabled = true,
            CreatedAt = now.ToUniversalTime(),
        };
        db.Add(row);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return ToEndpoint(row);
    }

    public async Task<IReadOnlyList<WebhookEndpoint>> ListEndpointsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<WebhookEndpointRecord>().AsNoTracking().OrderBy(e => e.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(ToEndpoint).ToList();
    }

    public async Task<WebhookEndpoint?> GetEndpointAsync(long endpointId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<WebhookEndpointRecord>().AsNoTracking().FirstOrDefaultAsync(e => e.Id == endpointId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToEndpoint(row);
    }

    public async Task<IReadOnlyList<string>> GetSigningSecretsAsync(long endpointId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<WebhookEndpointRecord>().AsNoTracking().Where(e => e.Id == endpointId)
            .Select(e => new { e.Secret, e.PreviousSecret, e.PreviousSecretUntil })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return row is null ? [] : row.PreviousSecret is { } previous && row.PreviousSecretUntil > now ? [row.Secret, previous] : [row.Secret];
    }

    public async Task<bool> RotateSecretAsync(long endpointId, string secret, DateTimeOffset previousUntil, CancellationToken cancellationToken)
    {
        var until = previousUntil.ToUniversalTime();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<WebhookEndpointRecord>().Where(e => e.Id == endpointId)
            .ExecuteUpdateAsync(u => u.SetProperty(e => e.PreviousSecret, e => e.Secret).SetProperty(e => e.Secret, secret).SetProperty(e => e.PreviousSecretUntil, until), cancellationToken)
            .ConfigureAwait(false) == 1;
    }

    public async Task<WebhookEndpoint?> UpdateEndpointAsync(long endpointId, string? url, IReadOnlyList<string>? events, string? description, bool? enabled, string? disabledReason, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<WebhookEndpointRecord>().FirstOrDefaultAsync(e => e.Id == endpointId, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        row.Url = url ?? row.Url;
        row.Events = events is null ? row.Events : string.Join(' ', events);
        row.Description = description ?? row.Description;
        row.Enabled = enabled ?? row.Enabled;
        row.DisabledReason = row.Enabled ? null : disabledReason ?? row.DisabledReason;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return ToEndpoint(row);
    }

    public async Task<bool> DeleteEndpointAsync(long endpointId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Set<WebhookDeliveryRecord>().Where(d => d.EndpointId == endpointId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<WebhookEndpointRecord>().Where(e => e.Id == endpointId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task<int> EnqueueAsync(string webhookId, string eventType, byte[] payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var receivers = (await db.Set<WebhookEndpointRecord>().AsNoTracking().Where(e => e.Enabled).Select(e => new { e.Id, e.Events }).ToListAsync(cancellationToken).ConfigureAwait(false))
            .Where(e => Receives(e.Events, eventType))
            .ToList();
        var utcNow = now.ToUniversalTime();
        foreach (var endpoint in receivers)
        {
            db.Add(new WebhookDeliveryRecord { EndpointId = endpoint.Id, WebhookId = webhookId, EventType = eventType, Payload = payload, Status = Pending, NextAttemptAt = utcNow, CreatedAt = utcNow });
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return receivers.Count;
    }

    public async Task<IReadOnlyList<WebhookDelivery>> ClaimDueAsync(int limit, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        var utcNow = now.ToUniversalTime();
        var until = leaseUntil.ToUniversalTime();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var deliveries = db.Set<WebhookDeliveryRecord>();
        var enabled = db.Set<WebhookEndpointRecord>().Where(e => e.Enabled).Select(e => e.Id);
        // Per endpoint only its oldest pending delivery: a receiver gets its events in order, and a failing one holds up
        // only itself.
        var candidates = await deliveries.AsNoTracking()
            .Where(d => d.Status == Pending && enabled.Contains(d.EndpointId)
                && !deliveries.Any(older => older.EndpointId == d.EndpointId && older.Status == Pending && older.Id < d.Id)
                && d.NextAttemptAt <= utcNow && (d.LeasedUntil == null || d.LeasedUntil <= utcNow))
            .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Id)
            .Select(d => d.Id).Take(limit)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var claimed = new List<WebhookDelivery>(candidates.Count);
        foreach (var id in candidates)
        {
            // The same condition again, atomically: of several hosts racing for a delivery, one updates it.
            var won = await deliveries
                .Where(d => d.Id == id && d.Status == Pending && (d.LeasedUntil == null || d.LeasedUntil <= utcNow))
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.LeaseOwner, owner).SetProperty(d => d.LeasedUntil, until), cancellationToken)
                .ConfigureAwait(false);
            if (won == 1)
            {
                claimed.Add(ToDelivery(await deliveries.AsNoTracking().FirstAsync(d => d.Id == id, cancellationToken).ConfigureAwait(false)));
            }
        }

        return claimed;
    }

    public async Task RecordAttemptAsync(long deliveryId, string owner, WebhookAttempt attempt, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var status = attempt.Succeeded ? Succeeded : retryAt is null ? Failed : Pending;
        var excerpt = attempt.ResponseExcerpt is { Length: > 2000 } tooLong ? tooLong[..2000] : attempt.ResponseExcerpt;
        var at = attempt.At.ToUniversalTime();
        var next = retryAt?.ToUniversalTime();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Set<WebhookDeliveryRecord>()
            .Where(d => d.Id == deliveryId && d.LeaseOwner == owner)
            .ExecuteUpdateAsync(
                u => u.SetProperty(d => d.Status, status)
                    .SetProperty(d => d.Attempts, d => d.Attempts + 1)
                    .SetProperty(d => d.NextAttemptAt, d => next ?? d.NextAttemptAt)
                    .SetProperty(d => d.LastAttemptAt, at)
                    .SetProperty(d => d.ResponseStatus, attempt.ResponseStatus)
                    .SetProperty(d => d.ResponseExcerpt, excerpt)
                    .SetProperty(d => d.DurationMilliseconds, attempt.DurationMilliseconds)
                    .SetProperty(d => d.LeaseOwner, (string?)null)
                    .SetProperty(d => d.LeasedUntil, (DateTimeOffset?)null),
                cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<WebhookDelivery>> ListDeliveriesAsync(long endpointId, int page, int pageSize, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<WebhookDeliveryRecord>().AsNoTracking()
            .Where(d => d.EndpointId == endpointId)
            .OrderByDescending(d => d.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(ToDelivery).ToList();
    }

    public async Task<int> ReplayAsync(long endpointId, long? deliveryId, DateTimeOffset? since, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var utcNow = now.ToUniversalTime();
        var from = since?.ToUniversalTime();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var query = db.Set<WebhookDeliveryRecord>().AsNoTracking().Where(d => d.EndpointId == endpointId && d.Status != Pending);
        query = deliveryId is { } one
            ? query.Where(d => d.Id == one)
            : query.Where(d => d.Status == Failed && (from == null || d.CreatedAt >= from));
        var replayed = await query.OrderBy(d => d.Id).Select(d => new { d.WebhookId, d.EventType, d.Payload }).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var delivery in replayed)
        {
            // A new delivery of the same event (same webhook-id), queued behind what is waiting now.
            db.Add(new WebhookDeliveryRecord { EndpointId = endpointId, WebhookId = delivery.WebhookId, EventType = delivery.EventType, Payload = delivery.Payload, Status = Pending, NextAttemptAt = utcNow, CreatedAt = utcNow });
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return replayed.Count;
    }

    private static bool Receives(string events, string eventType) => events.Split(' ').Any(e => e == "*" || e == eventType);

    private static WebhookEndpoint ToEndpoint(WebhookEndpointRecord row) =>
        new(row.Id, row.Url, row.Events.Split(' ', StringSplitOptions.RemoveEmptyEntries), row.Description, row.Enabled, row.CreatedAt)
        {
            DisabledReason = row.DisabledReason,
        };

    private static WebhookDelivery ToDelivery(WebhookDeliveryRecord row) =>
        new(row.Id, row.EndpointId, row.WebhookId, row.EventType, row.Payload, row.CreatedAt)
        {
            Status = row.Status switch { Succeeded => WebhookDeliveryStatus.Succeeded, Failed => WebhookDeliveryStatus.Failed, _ => WebhookDeliveryStatus.Pending },
            Attempts = row.Attempts,
            NextAttemptAt = row.NextAttemptAt,
            LastAttemptAt = row.LastAttemptAt,
            ResponseStatus = row.ResponseStatus,
            ResponseExcerpt = row.ResponseExcerpt,
            DurationMilliseconds = row.DurationMilliseconds,
        };
}
