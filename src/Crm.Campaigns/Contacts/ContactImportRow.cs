using System.Text.Json.Serialization;

namespace Crm.Campaigns.Contacts;

/// <summary>One row of <c>POST /contacts</c>.</summary>
public sealed record ContactImportRow
{
    /// <summary>The address, the upsert key.</summary>
    [JsonPropertyName("email")]
    public string? Email { get; init; }

    /// <summary>Display name.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>Phone, international format.</summary>
    [JsonPropertyName("phone")]
    public string? Phone { get; init; }

    /// <summary>Tags (replace the stored ones when present).</summary>
    [JsonPropertyName("tags")]
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Attributes (replace the stored ones when present).</summary>
    [JsonPropertyName("attributes")]
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    /// <summary>
    /// False to add or update the contact without making it a marketing recipient; omitted or true subscribes new
    /// contacts and those known only from support. An unsubscribe, bounce or complaint is never overridden.
    /// </summary>
    [JsonPropertyName("subscribed")]
    public bool? Subscribed { get; init; }
}
