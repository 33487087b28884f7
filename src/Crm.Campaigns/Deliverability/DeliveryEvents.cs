using Crm.Campaigns.Tracking;
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

    // Resolved from AddBulkEmail(): the tracking keys are not part of the public API.
    internal DeliveryEvents(IDeliveryEventStore store, TrackingKeyProvider keys, IOptions<WebhookOptions> options, ILogger<DeliveryEvents> logger)
    {
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
        return outcome;
    }

    [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "A {Kind} reported by {Provider} (campaign {CampaignId}): {Outcome}; {Detail}")]
    private static partial void LogApplied(ILogger logger, DeliveryEventKind kind, string provider, long? campaignId, DeliveryEventOutcome outcome, string? detail);
}
