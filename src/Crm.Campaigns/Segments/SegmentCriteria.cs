using System.Text.Json.Serialization;

namespace Crm.Campaigns.Segments;

/// <summary>
/// Which contacts a campaign goes to: those having <b>all</b> of <see cref="Tags"/>, every attribute in
/// <see cref="Attributes"/> equal to its value, every <see cref="Engagement"/> condition, created within the dates
/// given, and matching at least one group of <see cref="AnyOf"/> when it is set. Empty criteria mean all contacts.
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

    /// <summary>What the contact did with campaigns: all of these must hold.</summary>
    [JsonPropertyName("engagement")]
    public IReadOnlyList<EngagementCondition>? Engagement { get; init; }

    /// <summary>An OR group: the contact matches at least one of these criteria (besides everything else). Groups do not nest.</summary>
    [JsonPropertyName("anyOf")]
    public IReadOnlyList<SegmentCriteria>? AnyOf { get; init; }

    /// <summary>The most conditions of one kind, and of OR groups.</summary>
    internal const int MaxConditions = 20;

    /// <summary>The problems with these criteria, per field (<c>segment.tags[0]</c>…); empty when valid.</summary>
    public IReadOnlyDictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Validate("segment", errors, allowGroups: true);
        return errors;
    }

    private void Validate(string path, Dictionary<string, string[]> errors, bool allowGroups)
    {
        var engagement = Engagement ?? [];
        if (engagement.Count > MaxConditions)
        {
            errors[$"{path}.engagement"] = [$"At most {MaxConditions} engagement conditions."];
        }

        for (var i = 0; i < Math.Min(engagement.Count, MaxConditions); i++)
        {
            foreach (var (field, error) in engagement[i]?.Problems($"{path}.engagement[{i}]") ?? [($"{path}.engagement[{i}]", "A condition is an object.")])
            {
                errors[field] = [error];
            }
        }

        if (AnyOf is { } groups)
        {
            if (!allowGroups)
            {
                errors[$"{path}.anyOf"] = ["OR groups do not nest."];
            }
            else if (groups.Count is 0 or > MaxConditions)
            {
                errors[$"{path}.anyOf"] = [$"An OR group has 1 to {MaxConditions} criteria."];
            }
            else
            {
                for (var i = 0; i < groups.Count; i++)
                {
                    if (groups[i] is null)
                    {
                        errors[$"{path}.anyOf[{i}]"] = ["A group is an object."];
                        continue;
                    }

                    groups[i].Validate($"{path}.anyOf[{i}]", errors, allowGroups: false);
                }
            }
        }

        ValidateContactFields(path, errors);
    }

    private void ValidateContactFields(string path, Dictionary<string, string[]> errors)
    {
        var tags = Tags ?? [];
        if (tags.Count > 50)
        {
            errors[$"{path}.tags"] = ["At most 50 tags."];
        }

        for (var i = 0; i < tags.Count; i++)
        {
            if (!ContactFields.IsValidTag(tags[i]))
            {
                errors[$"{path}.tags[{i}]"] = ["A tag is 1 to 64 characters with no control characters."];
            }
        }

        var attributes = Attributes ?? new Dictionary<string, string>();
        if (attributes.Count > 50)
        {
            errors[$"{path}.attributes"] = ["At most 50 attributes."];
        }

        foreach (var (name, value) in attributes)
        {
            if (!ContactFields.IsValidAttributeName(name))
            {
                errors[$"{path}.attributes.{name}"] = ["An attribute name is 1 to 64 letters, digits, '_', '-' or '.'."];
            }
            else if (value is null || value.Length > ContactFields.MaxAttributeValueLength)
            {
                errors[$"{path}.attributes.{name}"] = [$"An attribute value is a string of at most {ContactFields.MaxAttributeValueLength} characters."];
            }
        }

        if (CreatedAfter is { } after && CreatedBefore is { } before && after >= before)
        {
            errors[$"{path}.createdBefore"] = ["createdBefore must be later than createdAfter."];
        }
    }
}
