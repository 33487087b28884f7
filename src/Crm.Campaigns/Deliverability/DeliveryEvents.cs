using Crm.Campaigns.Tracking;
using Crm.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Campaigns.Deliverability;

/// <summary>
/// Applies bounces and complaints from every source (provider webhooks, bounce mail): ties each to the campaign message
/// it names when that Message-ID is one of ours and verifies, and hands it to the <see cref="IDeliveryEventStore"/>.
/// </summary>
public sealed partial class DeliveryEvents
{
    private readonly IDeliveryEventStore _store;
    private readonly TrackingKeyProvider _keys;
    private readonly IOptions<WebhookOptions> _options;
    private readonly ILogger<DeliveryEvents> _logger;
    private readonly CrmEventPublisher _events;
    private readonly TimeProvider _time;

    // Resolved from AddBulkEmail(): the tracking keys and the event publisher are not part of the public API.
    internal DeliveryEvents(IDeliveryEventStore store, TrackingKeyProvider keys, IOptions<WebhookOptions> options, CrmEventPublisher events, TimeProvider time, ILogger<DeliveryEvents> logger)
    {
        _events = events;
        _time = time;
        _store = store;
        _keys = keys;
        _options = options;
        _logger = logger;
    }

    /// <summary>Applies one event, reading the campaign and recipient from <paramref name="messageId"/> when it is our signed one.</summary>
    public async Task<DeliveryEventOutcome> ApplyAsync(DeliveryEvent deliveryEvent, string? messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveryEvent);
        if (deliveryEvent.CampaignId is null && RecipientReference.TryRead(messageId?.Trim().Trim('<', '>'), out var campaignId, out var token))
        {
            var tokens = await _keys.GetTokensAsync(cancellationToken).ConfigureAwait(false);
            if (tokens.Verify(campaignId, token, TrackingTokenPurpose.Reference) is { } recipientId)
            {
                deliveryEvent = deliveryEvent with { CampaignId = campaignId, RecipientId = recipientId };
            }
        }

        var outcome = await _store.ApplyAsync(deliveryEvent, _options.Value.SoftBounceLimit, cancellationToken).ConfigureAwait(false);
        LogApplied(_logger, deliveryEvent.Kind, deliveryEvent.Provider, deliveryEvent.CampaignId, outcome, deliveryEvent.Detail);
        if (outcome == DeliveryEventOutcome.Suppressed)
        {
            // The address gets no more marketing mail: what an integration needs to hear. A soft bounce below the
            // limit (Counted) is not news yet.
            var (email, campaign, provider, detail, now) = (deliveryEvent.Email, deliveryEvent.CampaignId, deliveryEvent.Provider, deliveryEvent.Detail, _time.GetUtcNow());
            if (deliveryEvent.Kind == DeliveryEventKind.Complaint)
            {
                await _events.PublishAsync(new ContactComplainedEvent(email, campaign, provider, detail) { Timestamp = now }, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _events.PublishAsync(new ContactBouncedEvent(email, campaign, provider, detail) { Timestamp = now }, cancellationToken).ConfigureAwait(false);
            }
        }

        return outcome;
    }

    [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "A {Kind} reported by {Provider} (campaign {CampaignId}): {Outcome}; {Detail}")]
    private static partial void LogApplied(ILogger logger, DeliveryEventKind kind, string provider, long? campaignId, DeliveryEventOutcome outcome, string? detail);
}
