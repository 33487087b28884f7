namespace Crm.Storage.EfCore.Entities;

/// <summary>A row of <c>contacts</c>: one client across channels and campaigns.</summary>
internal sealed class ContactRecord : ICrmRecord
{
    /// <summary>The id.</summary>
    public long Id { get; set; }

    /// <summary>Lower-cased email; unique when set.</summary>
    public string? Email { get; set; }

    /// <summary>E.164 phone; unique when set.</summary>
    public string? Phone { get; set; }

    /// <summary>Display name.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Whether marketing mail may be sent: <c>subscribed</c> only; <c>none</c> (the default: a contact from support
    /// never asked for it), <c>pending</c>, <c>unsubscribed</c>, <c>bounced</c>, <c>complained</c> suppress it.
    /// </summary>
    public ContactMarketingStatus MarketingStatus { get; set; } = ContactMarketingStatus.None;

    /// <summary>When <see cref="MarketingStatus"/> last changed (null before this was recorded): a confirmation link is valid only if it did not change since the link was mailed.</summary>
    public DateTimeOffset? MarketingStatusChangedAt { get; set; }

    /// <summary>Soft bounces reported by the sending provider since the last delivery; enough of them suppress the address.</summary>
    public int SoftBounces { get; set; }

    /// <summary>When the contact was created.</summary>

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the contact last changed.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Its tags (<c>contact_tags</c>).</summary>
    public List<ContactTagRecord> Tags { get; set; } = [];

    /// <summary>Its attributes (<c>contact_attributes</c>).</summary>
    public List<ContactAttributeRecord> Attributes { get; set; } = [];
}
