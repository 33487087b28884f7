namespace Crm.Campaigns.Deliverability;

/// <summary>Where bounces and complaints land: the contact's marketing status, the ledger row and the campaign's counts.</summary>
public interface IDeliveryEventStore
{
    /// <summary>
    /// Applies one event: a hard bounce marks the contact <c>bounced</c>, a complaint <c>complained</c>, a soft bounce
    /// counts and suppresses at <paramref name="softBounceLimit"/>; the recipient's ledger row (the one named, else the
    /// latest message sent to the address) and its campaign count each bounce or complaint once.
    /// </summary>
    Task<DeliveryEventOutcome> ApplyAsync(DeliveryEvent deliveryEvent, int softBounceLimit, CancellationToken cancellationToken);

    /// <summary>Remembers a provider's event or signature id; false when it was seen before (a replay), on any host instance.</summary>
    Task<bool> TryRememberAsync(string provider, string eventId, DateTimeOffset now, CancellationToken cancellationToken);
}
