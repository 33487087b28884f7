namespace Crm.Channels.Tickets;

/// <summary>
/// The order delivery reports move in. Channels report out of order (Twilio may call "delivered" after "read"),
/// so a store applies a report only when it moves a message forward.
/// </summary>
public static class DeliveryProgress
{
    /// <summary>True when a message at <paramref name="current"/> should take <paramref name="reported"/>.</summary>
    public static bool Advances(DeliveryStatus? current, DeliveryStatus reported) =>
        current is null || reported == DeliveryStatus.Failed
            ? current != DeliveryStatus.Read
            : Rank(reported) > Rank(current.Value);

    /// <summary>
    /// The status after a send attempt: the attempt's outcome, unless a report that arrived while the message was in
    /// flight already moved it further (a chat widget showed the reply before the outbox recorded it sent).
    /// </summary>
    public static DeliveryStatus AfterAttempt(DeliveryStatus? current, DeliveryStatus outcome) =>
        current is DeliveryStatus.Delivered or DeliveryStatus.Read && outcome is DeliveryStatus.Sent ? current.Value : outcome;

    private static int Rank(DeliveryStatus status) => status switch
    {
        DeliveryStatus.Queued => 0,
        DeliveryStatus.Sent => 1,
        DeliveryStatus.Delivered => 2,
        DeliveryStatus.Read => 3,
        _ => 4,
    };
}
