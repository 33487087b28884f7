namespace Crm.Events;

/// <summary><c>contact.created</c>: a person the CRM did not know yet: they wrote on a channel, were imported or subscribed.</summary>
/// <param name="ContactId">The new contact.</param>
/// <param name="Email">Its address (normalised), if known.</param>
/// <param name="Phone">Its phone number (E.164), if known.</param>
/// <param name="Source">How: the channel they wrote on (<c>chat</c>, <c>email</c>, <c>whatsapp</c>, …), <c>import</c> or <c>subscribe</c>.</param>
public sealed record ContactCreatedEvent(long ContactId, string? Email, string? Phone, string Source) : CrmEvent
{
    /// <inheritdoc />
    public override string Type => CrmEventTypes.ContactCreated;
}

/// <summary><c>contact.unsubscribed</c>: a contact unsubscribed from marketing mail.</summary>
/// <param name="CampaignId">The campaign whose link or unsubscribe mail they used.</param>
/// <param name="Email">The address unsubscribed.</param>
/// <param name="Source">How: <c>link</c> (the page or one-click) or <c>mail</c> (an unsubscribe mail).</param>
public sealed record ContactUnsubscribedEvent(long CampaignId, string? Email, string Source) : CrmEvent
{
    /// <inheritdoc />
    public override string Type => CrmEventTypes.ContactUnsubscribed;
}

/// <summary><c>contact.bounced</c>: an address bounced for good and gets no more marketing mail.</summary>
/// <param name="Email">The address.</param>
/// <param name="CampaignId">The campaign whose mail bounced, when the report named it.</param>
/// <param name="Provider">Who reported it: <c>ses</c>, <c>sendgrid</c>, <c>mailgun</c>, <c>postmark</c>, <c>mail</c>, …</param>
/// <param name="Detail">The report's reason, if any.</param>
public sealed record ContactBouncedEvent(string Email, long? CampaignId, string Provider, string? Detail) : CrmEvent
{
    /// <inheritdoc />
    public override string Type => CrmEventTypes.ContactBounced;
}

/// <summary><c>contact.complained</c>: a recipient reported marketing mail as spam; they get no more.</summary>
/// <param name="Email">The address.</param>
/// <param name="CampaignId">The campaign reported, when the report named it.</param>
/// <param name="Provider">Who reported it.</param>
/// <param name="Detail">The report's feedback type, if any.</param>
public sealed record ContactComplainedEvent(string Email, long? CampaignId, string Provider, string? Detail) : CrmEvent
{
    /// <inheritdoc />
    public override string Type => CrmEventTypes.ContactComplained;
}

/// <summary><c>contact.subscription_confirmed</c>: a contact confirmed a subscription through the mailed link.</summary>
/// <param name="ContactId">The contact.</param>
/// <param name="Tags">The tags the subscription added.</param>
public sealed record ContactSubscriptionConfirmedEvent(long ContactId, IReadOnlyList<string> Tags) : CrmEvent
{
    /// <inheritdoc />
    public override string Type => CrmEventTypes.ContactSubscriptionConfirmed;
}
