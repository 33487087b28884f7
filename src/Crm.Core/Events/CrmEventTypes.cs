namespace Crm.Events;

/// <summary>The event catalogue: every type name the CRM publishes. Names are stable; new ones may be added.</summary>
public static class CrmEventTypes
{
    /// <summary>A customer's first message opened a ticket (<see cref="TicketCreatedEvent"/>).</summary>
    public const string TicketCreated = "ticket.created";

    /// <summary>A customer wrote again on an existing ticket (<see cref="TicketMessageReceivedEvent"/>).</summary>
    public const string TicketMessageReceived = "ticket.message_received";

    /// <summary>A ticket's status changed, by an agent or by the conversation (<see cref="TicketStatusChangedEvent"/>).</summary>
    public const string TicketStatusChanged = "ticket.status_changed";

    /// <summary>An agent's reply was queued, sent, delivered, read or failed (<see cref="TicketReplyDeliveryChangedEvent"/>).</summary>
    public const string TicketReplyDeliveryChanged = "ticket.reply_delivery_changed";

    /// <summary>A contact was added: imported or subscribed (<see cref="ContactCreatedEvent"/>).</summary>
    public const string ContactCreated = "contact.created";

    /// <summary>A contact unsubscribed from marketing mail (<see cref="ContactUnsubscribedEvent"/>).</summary>
    public const string ContactUnsubscribed = "contact.unsubscribed";

    /// <summary>A contact's address bounced for good and gets no more marketing mail (<see cref="ContactBouncedEvent"/>).</summary>
    public const string ContactBounced = "contact.bounced";

    /// <summary>A contact reported marketing mail as spam (<see cref="ContactComplainedEvent"/>).</summary>
    public const string ContactComplained = "contact.complained";

    /// <summary>A contact confirmed a subscription (double opt-in) (<see cref="ContactSubscriptionConfirmedEvent"/>).</summary>
    public const string ContactSubscriptionConfirmed = "contact.subscription_confirmed";

    /// <summary>A campaign started sending (<see cref="CampaignLaunchedEvent"/>).</summary>
    public const string CampaignLaunched = "campaign.launched";

    /// <summary>A campaign was paused, by a person or by the dispatcher (<see cref="CampaignPausedEvent"/>).</summary>
    public const string CampaignPaused = "campaign.paused";

    /// <summary>A campaign's every recipient was sent to or failed (<see cref="CampaignCompletedEvent"/>).</summary>
    public const string CampaignCompleted = "campaign.completed";

    /// <summary>A campaign was cancelled (<see cref="CampaignCancelledEvent"/>).</summary>
    public const string CampaignCancelled = "campaign.cancelled";

    /// <summary>Every type above, in catalogue order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        TicketCreated, TicketMessageReceived, TicketStatusChanged, TicketReplyDeliveryChanged,
        ContactCreated, ContactUnsubscribed, ContactBounced, ContactComplained, ContactSubscriptionConfirmed,
        CampaignLaunched, CampaignPaused, CampaignCompleted, CampaignCancelled,
    ];
}
