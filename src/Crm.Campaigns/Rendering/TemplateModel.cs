namespace Crm.Campaigns.Rendering;

/// <summary>What a template sees: <c>contact</c> (name, email, phone, attributes, and each attribute by name), <c>unsubscribe_url</c>, <c>campaign</c> (id).</summary>
internal sealed class TemplateModel
{
    /// <summary>Builds the model of one recipient.</summary>
    public TemplateModel(long campaignId, string email, string? name, IReadOnlyDictionary<string, string> attributes, string unsubscribeUrl)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var contact = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in attributes)
        {
            contact[key] = value;
        }

        contact["name"] = name ?? "";
        contact["email"] = email;
        contact["attributes"] = attributes.ToDictionary(a => a.Key, a => (object?)a.Value, StringComparer.Ordinal);
        Contact = contact;
        Campaign = new Dictionary<string, object?> { ["id"] = campaignId };
        UnsubscribeUrl = unsubscribeUrl;
    }

    /// <summary>The contact's fields.</summary>
    public IReadOnlyDictionary<string, object?> Contact { get; }

    /// <summary>The campaign's fields.</summary>
    public IReadOnlyDictionary<string, object?> Campaign { get; }

    /// <summary>The recipient's own unsubscribe link.</summary>
    public string UnsubscribeUrl { get; }
}
