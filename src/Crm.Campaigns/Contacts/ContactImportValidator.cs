using Crm.Contacts;
using Crm.Campaigns.Segments;

namespace Crm.Campaigns.Contacts;

/// <summary>Checks and normalises import rows: one bad row is rejected with reasons, the others go in.</summary>
internal static class ContactImportValidator
{
    /// <summary>Validates one row.</summary>
    /// <returns>The normalised upsert, or the reasons it was refused.</returns>
    public static (ContactUpsert? Contact, IReadOnlyList<string> Reasons) Validate(string? email, string? name, string? phone, IReadOnlyList<string>? tags, IReadOnlyDictionary<string, string>? attributes)
    {
        var reasons = new List<string>();
        var normalizedEmail = ContactIdentity.NormalizeEmail(email);
        if (normalizedEmail is null)
        {
            reasons.Add(string.IsNullOrWhiteSpace(email) ? "email is required" : "email is not a valid address");
        }

        if (name is { Length: > 256 })
        {
            reasons.Add("name is longer than 256 characters");
        }

        string? normalizedPhone = null;
        if (!string.IsNullOrWhiteSpace(phone))
        {
            normalizedPhone = ContactIdentity.NormalizePhone(phone);
            if (normalizedPhone is null)
            {
                reasons.Add("phone is not an international number (+ and 8 to 15 digits)");
            }
        }

        if (tags is { Count: > 100 })
        {
            reasons.Add("at most 100 tags");
        }

        foreach (var tag in tags ?? [])
        {
            if (!ContactFields.IsValidTag(tag))
            {
                reasons.Add($"tag '{Shorten(tag)}' is not 1 to 64 characters without control characters");
            }
        }

        foreach (var (key, value) in attributes ?? new Dictionary<string, string>())
        {
            if (!ContactFields.IsValidAttributeName(key))
            {
                reasons.Add($"attribute name '{Shorten(key)}' is not 1 to 64 letters, digits, '_', '-' or '.'");
            }
            else if (value is null || value.Length > ContactFields.MaxAttributeValueLength)
            {
                reasons.Add($"attribute '{key}' is not a string of at most {ContactFields.MaxAttributeValueLength} characters");
            }
        }

        return reasons.Count > 0
            ? (null, reasons)
            : (new ContactUpsert(normalizedEmail!, string.IsNullOrWhiteSpace(name) ? null : name.Trim(), normalizedPhone, tags?.Distinct(StringComparer.Ordinal).ToList(), attributes), reasons);
    }

    private static string Shorten(string? value) => value is null ? "" : value.Length <= 32 ? value : value[..32] + "…";
}
