using Crm.Storage.EfCore.Entities;
namespace Crm.Storage.EfCore.Channels.Entities;

/// <summary>A row of <c>contact_external_ids</c>: a contact's id on one channel (a Telegram user id).</summary>
internal sealed class ContactExternalIdRecord : ICrmRecord
{
    /// <summary>The row's id.</summary>
    public long Id { get; set; }

    /// <summary>The contact.</summary>
    public long ContactId { get; set; }

    /// <summary>The channel the id belongs to.</summary>
    public string Channel { get; set; } = "";

    /// <summary>The id the channel gives the person.</summary>
    public string ExternalId { get; set; } = "";

    /// <summary>When it was first seen.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
