using System.Security.Cryptography;
using System.Text;

namespace Crm.Channels.Ingestion;

/// <summary>
/// Fits transport message ids into the store: an id longer than the limit (a Message-ID can be any length) is replaced
/// by a hash of itself, so it still deduplicates and threads (replies' references are fitted the same way), and the
/// mail is never refused for it.
/// </summary>
internal static class ExternalMessageIds
{
    private const string HashPrefix = "sha256-";

    /// <summary><paramref name="id"/> itself when it fits in <paramref name="maxLength"/>, else a stable hash of it.</summary>
    public static string Fit(string id, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.Length <= maxLength ? id : HashPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
    }

    /// <summary>
    /// The id under which a second sender's message is kept when it reuses an id another sender's message already has
    /// (a forged or careless Message-ID must not make a real message vanish as a "duplicate").
    /// </summary>
    public static string ForOtherSender(string id, string senderKey, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(senderKey);
        var suffix = "#sender-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(senderKey)))[..16];
        return Fit(id + suffix, maxLength);
    }

    /// <summary>True for an id made by <see cref="ForOtherSender"/> (it is never disambiguated twice).</summary>
    public static bool IsForOtherSender(string id) => id.Contains("#sender-", StringComparison.Ordinal);
}
