using System.Net.Mail;
using System.Text.RegularExpressions;
using Crm.Campaigns.Segments;

namespace Crm.Campaigns.Contacts;

/// <summary>Checks and normalises import rows: one bad row is rejected with reasons, the others go in.</summary>
public static partial class ContactImportValidator
{
    /// <summary>Validates one row.</summary>
    /// <returns>The normalised upsert, or the reasons it was refused.</returns>
    public static (ContactUpsert? Contact, IReadOnlyList<string> Reasons) Validate(string? email, string? name, string? phone, IReadOnlyList<string>? tags, IReadOnlyDictionary<string, string>? attributes)
    {
        var reasons = new List<string>();
        var normalizedEmail = NormalizeEmail(email);
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
            var compact = PhoneSeparators().Replace(phone, "");
            if (!E164().IsMatch(compact))
            {
                reasons.Add("phone is not an international number (+ and 8 to 15 digits)");
            }
            else
            {
                normalizedPhone = compact;
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

    /// <summary>The lower-cased bare address, or null when it is not one valid address.</summary>
    public static string? NormalizeEmail(string? email)
    {
        var trimmed = email?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > 320 || trimmed.Contains(' ', StringComparison.Ordinal)
            || !MailAddress.TryCreate(trimmed, out var address) || !string.Equals(address.Address, trimmed, StringComparison.OrdinalIgnoreCase)
            || !address.Host.Contains('.', StringComparison.Ordinal))
        {
            return null;
        }

        return trimmed.ToLowerInvariant();
    }

    private static string Shorten(string? value) => value is null ? "" : value.Length <= 32 ? value : value[..32] + "…";

    [GeneratedRegex(@"[\s\-\.\(\)]")]
    private static partial Regex PhoneSeparators();

    [GeneratedRegex(@"^\+[1-9][0-9]{7,14}$")]
    private static partial Regex E164();
}
