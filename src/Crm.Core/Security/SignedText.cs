using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Crm.Security;

/// <summary>
/// The MAC of the library's text tokens (visitor tokens, attachment links, confirmation links): base64url of
/// HMAC-SHA256 over <c>purpose ":" payload</c>. The purpose separates domains, so a MAC made for one kind of token never
/// verifies as another even under the same key. Tracking links keep their own shorter binary MAC (<c>TrackingTokens</c>):
/// they are made per recipient on the send path, where a string per message would cost.
/// </summary>
internal static class SignedText
{
    /// <summary>The MAC of <paramref name="payload"/> for <paramref name="purpose"/>.</summary>
    public static string Mac(byte[] key, string purpose, string payload)
        => Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(purpose + ":" + payload)));

    /// <summary>
    /// True when <paramref name="presented"/> is exactly the MAC of <paramref name="payload"/> for
    /// <paramref name="purpose"/>, compared in constant time. Only the canonical encoding verifies.
    /// </summary>
    public static bool Verify(byte[] key, string purpose, string payload, ReadOnlySpan<char> presented)
    {
        // A base64url HMAC-SHA256 is 43 characters: anything else is refused before any work.
        if (presented.Length != 43)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[43];
        Encoding.ASCII.GetBytes(Mac(key, purpose, payload), expected);
        Span<byte> given = stackalloc byte[43];
        for (var i = 0; i < 43; i++)
        {
            // A non-ASCII character cannot be part of a MAC; folding it to '?' keeps the comparison constant-time.
            given[i] = presented[i] < 128 ? (byte)presented[i] : (byte)'?';
        }

        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
