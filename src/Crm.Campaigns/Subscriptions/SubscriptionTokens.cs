using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Crm.Campaigns.Subscriptions;

/// <summary>
/// Confirmation links of the double opt-in: <c>{contactId}.{expires}.{tags}.{mac}</c>, the MAC (HMAC-SHA256 with the
/// tracking key, domain-separated) over the rest, so a link names one contact, the tags they asked for, and expires.
/// </summary>
internal sealed class SubscriptionTokens(byte[] key)
{
    public string Create(long contactId, IReadOnlyList<string> tags, DateTimeOffset expires)
    {
        var payload = string.Create(CultureInfo.InvariantCulture, $"{contactId}.{expires.ToUnixTimeSeconds()}.{WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(string.Join('\n', tags)))}");
        return payload + "." + WebEncoders.Base64UrlEncode(Mac(payload));
    }

    public (long ContactId, IReadOnlyList<string> Tags)? Verify(string? token, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2048)
        {
            return null;
        }

        var parts = token.Split('.');
        if (parts.Length != 4
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var contactId)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return null;
        }

        try
        {
            var presented = WebEncoders.Base64UrlDecode(parts[3]);
            if (!CryptographicOperations.FixedTimeEquals(Mac(string.Join('.', parts[..3])), presented) || now.ToUnixTimeSeconds() > expires)
            {
                return null;
            }

            var tags = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(parts[2]));
            return (contactId, tags.Length == 0 ? [] : tags.Split('\n'));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private byte[] Mac(string payload) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("subscribe:" + payload));
}
