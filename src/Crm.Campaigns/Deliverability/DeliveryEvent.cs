namespace Crm.Campaigns.Deliverability;

/// <summary>What a sending provider (or a bounce mail) reports about one recipient.</summary>
public enum DeliveryEventKind
{
    /// <summary>The address does not exist or refuses mail for good: suppressed at once.</summary>
    HardBounce,

    /// <summary>A temporary failure (mailbox full, greylisting): counted; enough of them in a row suppress.</summary>
    SoftBounce,

    /// <summary>The recipient reported the mail as spam: suppressed at once, for good.</summary>
    Complaint,
}

/// <summary>One delivery event for one address.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Email">The recipient's address.</param>
/// <param name="Provider">Who reported it (<c>ses</c>, <c>sendgrid</c>, <c>mailgun</c>, <c>postmark</c>, <c>generic</c>, <c>mail</c>).</param>
/// <param name="Detail">The provider's words (bounce type, diagnostic), for the log.</param>
/// <param name="At">When it was reported.</param>
public sealed record DeliveryEvent(DeliveryEventKind Kind, string Email, string Provider, string? Detail, DateTimeOffset At)
{
    /// <summary>The campaign, when the event names our signed Message-ID (or VERP address) and it verified.</summary>
    public long? CampaignId { get; init; }

    /// <summary>The ledger row, with <see cref="CampaignId"/>.</summary>
    public long? RecipientId { get; init; }
}

/// <summary>What applying a delivery event changed.</summary>
public enum DeliveryEventOutcome
{
    /// <summary>No contact has that address.</summary>
    UnknownAddress,

    /// <summary>Recorded; the contact may still receive campaigns (a soft bounce under the limit).</summary>
    Counted,

    /// <summary>The contact is suppressed (bounced or complained) from now on.</summary>
    Suppressed,

    /// <summary>
    /// The event's address is not the address of the message it names: nothing is changed. A report must not suppress
    /// one contact, or count on another recipient's row, by quoting someone else's Message-ID.
    /// </summary>
    Mismatched,
}
