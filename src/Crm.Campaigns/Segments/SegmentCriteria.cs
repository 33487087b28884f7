using System.Text.Json.Serialization;

namespace Crm.Campaigns.Segments;

/// <summary>
/// Which contacts a campaign goes to: those having <b>all</b> of <see cref="Tags"/>, every attribute in
/// <see cref="Attributes"/> equal to its value, and created within the dates given. Empty criteria mean all contacts.
/// Stores compile it to a parameterised query; it is never raw SQL.
/// </summary>
public sealed record SegmentCriteria
{
    /// <summary>All contacts.</summary>
    public static SegmentCriteria All { get; } = new();

    /// <summary>Tags the contact must all have.</summary>
    [JsonPropertyName("tags")]
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Attributes the contact must have with exactly these values.</summary>
    [JsonPropertyName("attributes")]
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    /// <summary>Only contacts created after this instant.</summary>
    [JsonPropertyName("createdAfter")]
    public DateTimeOffset? CreatedAfter { get; init; }

    /// <summary>Only contacts created before this instant.</summary>
    [JsonPropertyName("createdBefore")]
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>The problems with these criteria, per field (<c>segment.tags[0]</c>…); empty when valid.</summary>
    public IReadOnlyDictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var tags = Tags ?? [];
        if (tags.Count > 50)
        {
            errors["segment.tags"] = ["At most 50 tags."];
        }

        for (var i = 0; i < tags.Count; i++)
        {
            if (!ContactFields.IsValidTag(tags[i]))
            {
                errors[$"segment.tags[{i}]"] = ["A tag is 1 to 64 characters with no control characters."];
            }
        }

        var attributes = Attributes ?? new Dictionary<string, string>();
        if (attributes.Count > 50)
        {
            errors["segment.attributes"] = ["At most 50 attributes."];
        }

        foreach (var (name, value) in attributes)
        {
            if (!ContactFields.IsValidAttributeName(name))
            {
                errors[$"segment.attributes.{name}"] = ["An attribute name is 1 to 64 letters, digits, '_', '-' or '.'."];
            }
            else if (value is null || value.Length > ContactFields.MaxAttributeValueLength)
            {
                errors[$"segment.attributes.{name}"] = [$"An attribute value is a string of at most {ContactFields.MaxAttributeValueLength} characters."];
            }
        }

        if (CreatedAfter is { } after && CreatedBefore is { } before && after >= before)
        {
            errors["segment.createdBefore"] = ["createdBefore must be later than createdAfter."];
        }

        return errors;
    }
}
