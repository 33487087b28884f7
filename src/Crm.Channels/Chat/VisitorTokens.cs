using System.Security.Cryptography;
using System.Text;
using Crm.Channels.Storage;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Chat;

/// <summary>
/// Visitor tokens: an HMAC of the conversation key, so a token names exactly one conversation, cannot be guessed and
/// cannot be derived from the conversation id. Also checks the identity hashes customers' sites sign their users with.
/// </summary>
internal sealed class VisitorTokens(ITicketStore store, IOptions<ChatOptions> options)
{
    private const string TokenPrefix = "v1.";
    private byte[]? _key;

    /// <summary>Loads (or creates) the signing key; after this, <see cref="Issue"/> needs no I/O.</summary>
    public async ValueTask EnsureKeyAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _key) is not null)
        {
            return;
        }

        var configured = options.Value.TokenSigningKey;
        var key = string.IsNullOrEmpty(configured)
            ? await store.GetOrCreateSecretAsync("chat.visitor_token_key", RandomNumberGenerator.GetBytes(32), cancellationToken).ConfigureAwait(false)
            : SHA256.HashData(Encoding.UTF8.GetBytes(configured));
        Volatile.Write(ref _key, key);
    }

    /// <summary>The token for a conversation (after <see cref="EnsureKeyAsync"/>).</summary>
    public string Issue(string conversationKey)
    {
        var key = Volatile.Read(ref _key) ?? throw new InvalidOperationException("Call EnsureKeyAsync first.");
        return TokenPrefix + WebEncoders.Base64UrlEncode(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("visitor:" + conversationKey)));
    }

    /// <summary>True when <paramref name="token"/> is the token of <paramref name="conversationKey"/> (constant time).</summary>
    public async ValueTask<bool> VerifyAsync(string conversationKey, string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 128)
        {
            return false;
        }

        await EnsureKeyAsync(cancellationToken).ConfigureAwait(false);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Issue(conversationKey)), Encoding.ASCII.GetBytes(token));
    }

    /// <summary>Checks a site's identity hash: hex HMAC-SHA256 of the lower-cased email, keyed with <see cref="ChatOptions.IdentitySecret"/>.</summary>
    public bool IsIdentityValid(string email, string identityHash)
    {
        var secret = options.Value.IdentitySecret;
        if (string.IsNullOrEmpty(secret) || identityHash.Length != 64)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant()));
        try
        {
            return CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(identityHash));
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
