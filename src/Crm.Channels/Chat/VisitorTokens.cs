using System.Security.Cryptography;
using System.Text;
using Crm.Security;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Chat;

/// <summary>
/// Visitor tokens: an HMAC of the conversation key, so a token names exactly one conversation, cannot be guessed and
/// cannot be derived from the conversation id. Also checks the identity hashes customers' sites sign their users with.
/// </summary>
internal sealed class VisitorTokens(ICrmSecretStore secrets, IOptions<ChatOptions> options)
{
    private const string TokenPrefix = "v1.";
    private const string Purpose = "visitor";
    private readonly SigningKey _key = new(secrets, "channels.chat.visitor_token_key", () => options.Value.TokenSigningKey);

    /// <summary>Loads (or creates) the signing key; after this, <see cref="Issue"/> needs no I/O.</summary>
    public async ValueTask EnsureKeyAsync(CancellationToken cancellationToken) => await _key.LoadAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>The token for a conversation (after <see cref="EnsureKeyAsync"/>).</summary>
    public string Issue(string conversationKey) => TokenPrefix + SignedText.Mac(_key.Loaded, Purpose, conversationKey);

    /// <summary>True when <paramref name="token"/> is the token of <paramref name="conversationKey"/> (constant time).</summary>
    public async ValueTask<bool> VerifyAsync(string conversationKey, string? token, CancellationToken cancellationToken)
    {
        if (token is null || !token.StartsWith(TokenPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var key = await _key.LoadAsync(cancellationToken).ConfigureAwait(false);
        return SignedText.Verify(key, Purpose, conversationKey, token.AsSpan(TokenPrefix.Length));
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
