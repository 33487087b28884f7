using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;

namespace Crm.Campaigns.Tracking;

/// <summary>
/// Signed tokens naming a recipient of a campaign: <c>{recipientId}.{mac}</c> where mac is the first 16 bytes
/// of HMAC-SHA256(key, campaignId ‖ recipientId), base64url. Without the key nobody can mint a token for
/// another recipient, so nobody can count opens or unsubscribe anyone else by guessing.
/// </summary>
public sealed class TrackingTokens
{
    private const int MacBytes = 16;
    private readonly byte[] _key;

    /// <summary>The key, for other tokens of the same host that sign with it under their own domain (subscription links).</summary>
    internal byte[] Key => _key;

    /// <summary>Creates a signer with a key of at least 32 bytes.</summary>
    public TrackingTokens(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 32)
        {
            throw new ArgumentException("The signing key must be at least 32 bytes.", nameof(key));
        }

        _key = key;
    }

    /// <summary>The token for a recipient of a campaign.</summary>
    public string Create(long campaignId, long recipientId)
    {
        Span<byte> mac = stackalloc byte[MacBytes];
        ComputeMac(campaignId, recipientId, mac);
        return recipientId.ToString(CultureInfo.InvariantCulture) + "." + WebEncoders.Base64UrlEncode(mac);
    }

    /// <summary>Reads and verifies a token (constant-time compare).</summary>
    /// <returns>The recipient id, or null when the token is malformed or not signed for this campaign.</returns>
    public long? Verify(long campaignId, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 64)
        {
            return null;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(token.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var recipientId))
        {
            return null;
        }

        byte[] presented;
        try
        {
            presented = WebEncoders.Base64UrlDecode(token, dot + 1, token.Length - dot - 1);
        }
        catch (FormatException)
        {
            return null;
        }

        Span<byte> expected = stackalloc byte[MacBytes];
        ComputeMac(campaignId, recipientId, expected);
        return presented.Length == MacBytes && CryptographicOperations.FixedTimeEquals(expected, presented) ? recipientId : null;
    }

    /// <summary>Creates the token of a tracked link: <c>{recipientId}.{linkIndex}.{mac}</c>, the MAC over campaign, recipient and link.</summary>
    public string CreateClick(long campaignId, long recipientId, int linkIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(linkIndex);
        Span<byte> mac = stackalloc byte[MacBytes];
        ComputeClickMac(campaignId, recipientId, linkIndex, mac);
        return string.Create(CultureInfo.InvariantCulture, $"{recipientId}.{linkIndex}.") + WebEncoders.Base64UrlEncode(mac);
    }

    /// <summary>Verifies a link token for this campaign.</summary>
    /// <returns>The recipient and link it names, or null for a forged, altered or malformed token.</returns>
    public (long RecipientId, int LinkIndex)? VerifyClick(long campaignId, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 80)
        {
            return null;
        }

        var parts = token.Split('.');
        if (parts.Length != 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var recipientId)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var linkIndex))
        {
            return null;
        }

        byte[] presented;
        try
        {
            presented = WebEncoders.Base64UrlDecode(parts[2]);
        }
        catch (FormatException)
        {
            return null;
        }

        Span<byte> expected = stackalloc byte[MacBytes];
        ComputeClickMac(campaignId, recipientId, linkIndex, expected);
        return presented.Length == MacBytes && CryptographicOperations.FixedTimeEquals(expected, presented) ? (recipientId, linkIndex) : null;
    }

    private void ComputeClickMac(long campaignId, long recipientId, int linkIndex, Span<byte> destination)
    {
        // 24 bytes where the open token signs 16: the two kinds of token can never stand in for each other.
        Span<byte> data = stackalloc byte[24];
        BinaryPrimitives.WriteInt64BigEndian(data, campaignId);
        BinaryPrimitives.WriteInt64BigEndian(data[8..], recipientId);
        BinaryPrimitives.WriteInt64BigEndian(data[16..], linkIndex);
        Span<byte> full = stackalloc byte[32];
        HMACSHA256.HashData(_key, data, full);
        full[..MacBytes].CopyTo(destination);
    }

    private void ComputeMac(long campaignId, long recipientId, Span<byte> destination)
    {
        Span<byte> data = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(data, campaignId);
        BinaryPrimitives.WriteInt64BigEndian(data[8..], recipientId);
        Span<byte> full = stackalloc byte[32];
        HMACSHA256.HashData(_key, data, full);
        full[..MacBytes].CopyTo(destination);
    }
}
