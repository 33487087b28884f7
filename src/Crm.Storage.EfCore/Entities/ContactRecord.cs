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

    /// <summary>Whether marketing mail may be sent: <c>subscribed</c>, <c>unsubscribed</c> or <c>bounced</c>.</summary>
    public ContactMarketingStatus MarketingStatus { get; set; } = ContactMarketingStatus.Subscribed;

    /// <summary>When the contact was created.</summary>
    /// <summary>Soft bounces reported by the sending provider since the last delivery; enough of them suppress the address.</summary>
    public int SoftBounces { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the contact last changed.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Its tags (<c>contact_tags</c>).</summary>
    public List<ContactTagRecord> Tags { get; set; } = [];

    /// <summary>Its attributes (<c>contact_attributes</c>).</summary>
    public List<ContactAttributeRecord> Attributes { get; set; } = [];
}
