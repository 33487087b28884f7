namespace Crm.Campaigns.Segments;

/// <summary>The shape rules of contact tags and attributes, shared by imports and segments.</summary>
public static class ContactFields
{
    /// <summary>The longest tag.</summary>
    public const int MaxTagLength = 64;

    /// <summary>The longest attribute name.</summary>
    public const int MaxAttributeNameLength = 64;

    /// <summary>The longest attribute value.</summary>
    public const int MaxAttributeValueLength = 1024;

    /// <summary>True for 1 to 64 characters without control characters or surrounding spaces.</summary>
    public static bool IsValidTag(string? tag)
        => !string.IsNullOrWhiteSpace(tag) && tag.Length <= MaxTagLength && tag.Trim().Length == tag.Length && !tag.Any(char.IsControl);

    /// <summary>True for 1 to 64 ASCII letters, digits, <c>_</c>, <c>-</c> or <c>.</c>.</summary>
    public static bool IsValidAttributeName(string? name)
        => !string.IsNullOrEmpty(name) && name.Length <= MaxAttributeNameLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
}
