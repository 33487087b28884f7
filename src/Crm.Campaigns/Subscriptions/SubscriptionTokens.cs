using System.Globalization;
using System.Text;
using Crm.Security;
using Microsoft.AspNetCore.WebUtilities;

namespace Crm.Campaigns.Subscriptions;

/// <summary>What a valid confirmation link names.</summary>
/// <param name="ContactId">The contact that asked.</param>
/// <param name="Tags">The tags they asked for.</param>
/// <param name="RequestedAt">When the link was mailed: it confirms only if the contact's status has not changed since.</param>
internal sealed record ConfirmationLink(long ContactId, IReadOnlyList<string> Tags, DateTimeOffset RequestedAt);

/// <summary>
/// Confirmation links of the double opt-in: <c>{contactId}.{expires}.{tags}.{requested}.{mac}</c>, the MAC (HMAC-SHA256
/// with the tracking key, domain-separated) over the rest, so a link names one contact, the tags they asked for and
/// when, and expires. Links mailed before the request time was part of them (four parts) still verify; their request
/// time is taken as their expiry less the confirmation lifetime.
/// </summary>
internal sealed class SubscriptionTokens(byte[] key)
{
    private const string Purpose = "subscribe";

    public string Create(long contactId, IReadOnlyList<string> tags, DateTimeOffset requested, DateTimeOffset expires)
    {
        // Rounded up to the millisecond: the request's own status change (a new pending contact) is not after it.
        var requestedMs = (requested.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
        var payload = string.Create(CultureInfo.InvariantCulture,
            $"{contactId}.{expires.ToUnixTimeSeconds()}.{WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(string.Join('\n', tags)))}.{requestedMs}");
        return payload + "." + SignedText.Mac(key, Purpose, payload);
    }

    public ConfirmationLink? Verify(string? token, DateTimeOffset now, TimeSpan lifetime)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2048)
        {
            return null;
        }

        var parts = token.Split('.');
        if (parts.Length is not (4 or 5)
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var contactId)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return null;
        }

        long? requested = null;
        if (parts.Length == 5)
        {
            if (!long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
            {
                return null;
            }

            requested = milliseconds;
        }

        try
        {
            if (!SignedText.Verify(key, Purpose, string.Join('.', parts[..^1]), parts[^1]) || now.ToUnixTimeSeconds() > expires)
            {
                return null;
            }

            var tags = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(parts[2]));
            var requestedAt = requested is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : DateTimeOffset.FromUnixTimeSeconds(expires) - lifetime;
            return new ConfirmationLink(contactId, tags.Length == 0 ? [] : tags.Split('\n'), requestedAt);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

}
