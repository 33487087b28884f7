using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;

namespace Crm.Campaigns.Tracking;

/// <summary>What a recipient token may be used for: a token made for one purpose never passes for another.</summary>
public enum TrackingTokenPurpose
{
    /// <summary>The open pixel: seen by image proxies and anyone a mail is forwarded to, so it may count an open and nothing more.</summary>
    Open,

    /// <summary>The unsubscribe link, the one-click POST and the <c>mailto:</c> unsubscribe.</summary>
    Unsubscribe,

    /// <summary>The Message-ID and the VERP return path, which delivery reports quote back.</summary>
    Reference,
}

/// <summary>
/// Signed tokens naming a recipient of a campaign for one purpose: <c>{o|u|r}{recipientId}.{mac}</c> where mac is the
/// first 16 bytes of HMAC-SHA256(key, purpose ‖ campaignId ‖ recipientId), base64url. Without the key nobody can mint
/// a token for another recipient, so nobody can count opens or unsubscribe anyone else by guessing; and whoever sees
/// the pixel's URL cannot unsubscribe with it. Tokens of mail sent before purposes existed (<c>{recipientId}.{mac}</c>,
/// one token for all) keep verifying for every purpose, so old links go on working; new mail never carries one.
/// </summary>
internal sealed class TrackingTokens
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

    /// <summary>The token for a recipient of a campaign, for one purpose.</summary>
    public string Create(long campaignId, long recipientId, TrackingTokenPurpose purpose)
    {
        Span<byte> mac = stackalloc byte[MacBytes];
        ComputeMac(campaignId, recipientId, purpose, mac);
        return PrefixOf(purpose) + recipientId.ToString(CultureInfo.InvariantCulture) + "." + WebEncoders.Base64UrlEncode(mac);
    }

    /// <summary>Reads and verifies a token for <paramref name="purpose"/> (constant-time compare).</summary>
    /// <returns>The recipient id, or null when the token is malformed, not signed for this campaign, or made for another purpose.</returns>
    public long? Verify(long campaignId, string? token, TrackingTokenPurpose purpose)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 64)
        {
            return null;
        }

        // A leading letter names the purpose; a token without one is from mail sent before purposes existed.
        var legacy = char.IsAsciiDigit(token[0]);
        if (!legacy && token[0] != PrefixOf(purpose))
        {
            return null;
        }

        var start = legacy ? 0 : 1;
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= start || !long.TryParse(token.AsSpan(start, dot - start), NumberStyles.None, CultureInfo.InvariantCulture, out var recipientId))
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
        if (legacy)
        {
            ComputeLegacyMac(campaignId, recipientId, expected);
        }
        else
        {
            ComputeMac(campaignId, recipientId, purpose, expected);
        }

        return presented.Length == MacBytes && CryptographicOperations.FixedTimeEquals(expected, presented) ? recipientId : null;
    }

    private static char PrefixOf(TrackingTokenPurpose purpose) => purpose switch
    {
        TrackingTokenPurpose.Open => 'o',
        TrackingTokenPurpose.Unsubscribe => 'u',
        TrackingTokenPurpose.Reference => 'r',
        _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, null),
    };

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

    private void ComputeMac(long campaignId, long recipientId, TrackingTokenPurpose purpose, Span<byte> destination)
    {
        // 17 bytes: neither the legacy token (16) nor a link's (24) can stand in for it, nor one purpose for another.
        Span<byte> data = stackalloc byte[17];
        data[0] = (byte)PrefixOf(purpose);
        BinaryPrimitives.WriteInt64BigEndian(data[1..], campaignId);
        BinaryPrimitives.WriteInt64BigEndian(data[9..], recipientId);
        Span<byte> full = stackalloc byte[32];
        HMACSHA256.HashData(_key, data, full);
        full[..MacBytes].CopyTo(destination);
    }

    /// <summary>The one token of mail sent before purposes existed: verified, never made any more.</summary>
    private void ComputeLegacyMac(long campaignId, long recipientId, Span<byte> destination)
    {
        Span<byte> data = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(data, campaignId);
        BinaryPrimitives.WriteInt64BigEndian(data[8..], recipientId);
        Span<byte> full = stackalloc byte[32];
        HMACSHA256.HashData(_key, data, full);
        full[..MacBytes].CopyTo(destination);
    }
}
