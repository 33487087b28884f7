namespace Crm.Storage.EfCore.Entities;

/// <summary>A row of <c>contact_attributes</c>: one named value of a contact.</summary>
internal sealed class ContactAttributeRecord : ICrmRecord
{
    /// <summary>The contact.</summary>
    public long ContactId { get; set; }

    /// <summary>The attribute's name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Its value.</summary>
    public string Value { get; set; } = "";
}
