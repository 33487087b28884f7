using System.Net.Mail;

namespace Crm.Contacts;

/// <summary>
/// The canonical forms contacts are matched on: email addresses lower-cased, phone numbers in E.164. Both features
/// write the same contacts columns, so both normalise through this one implementation; an integrator importing
/// contacts or writing an adapter can use it to match them the same way.
/// </summary>
public static class ContactIdentity
{
    /// <summary>Returns the lower-cased address, or null when <paramref name="email"/> is not a single valid address.</summary>
    public static string? NormalizeEmail(string? email)
    {
        if (string.IsNullOrWhiteSpace(email) || email.Length > 320)
        {
            return null;
        }

        var trimmed = email.Trim();
        // MailAddress also accepts "Name <a@b>" forms; we want the bare address only.
        if (!MailAddress.TryCreate(trimmed, out var parsed) || !string.Equals(parsed.Address, trimmed, StringComparison.OrdinalIgnoreCase)
            || trimmed.Contains(' ', StringComparison.Ordinal) || !parsed.Host.Contains('.', StringComparison.Ordinal))
        {
            return null;
        }

        return trimmed.ToLowerInvariant();
    }

    /// <summary>
    /// Returns the number in E.164 (<c>+</c> and 8 to 15 digits, the first not 0), accepting spaces, dots,
    /// dashes, parentheses, a <c>00</c> international prefix and a <c>whatsapp:</c> or <c>tel:</c> scheme;
    /// null when it is not a full international number (a national number cannot be placed without a country).
    /// </summary>
    public static string? NormalizePhone(string? phone)
    {
        if (string.IsNullOrWhiteSpace(phone) || phone.Length > 64)
        {
            return null;
        }

        var value = phone.Trim();
        foreach (var scheme in (ReadOnlySpan<string>)["whatsapp:", "tel:"])
        {
            if (value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                value = value[scheme.Length..];
            }
        }

        // "+44 (0)20 ..." writes the national trunk prefix in brackets; it is not dialled internationally.
        value = value.Replace("(0)", "", StringComparison.Ordinal);

        Span<char> digits = stackalloc char[16];
        var count = 0;
        var international = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '+' && count == 0 && !international)
            {
                international = true;
            }
            else if (char.IsAsciiDigit(c))
            {
                if (count == digits.Length)
                {
                    return null;
                }

                digits[count++] = c;
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')'))
            {
                return null;
            }
        }

        var number = digits[..count];
        if (!international)
        {
            if (number.Length < 3 || number[0] != '0' || number[1] != '0')
            {
                return null;
            }

            number = number[2..];
        }

        if (number.Length is < 8 or > 15 || number[0] == '0')
        {
            return null;
        }

        return "+" + new string(number);
    }
}
