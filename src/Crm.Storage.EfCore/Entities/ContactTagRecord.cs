namespace Crm.Storage.EfCore.Entities;

/// <summary>A row of <c>contact_tags</c>.</summary>
internal sealed class ContactTagRecord : ICrmRecord
{
    /// <summary>The contact.</summary>
    public long ContactId { get; set; }

    /// <summary>The tag.</summary>
    public string Tag { get; set; } = "";
}
