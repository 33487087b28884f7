using MailKit.Security;

namespace Crm.Mail.OAuth;

/// <summary>Signs a mail client in with a connection's token, and tells the token cache how the server took it.</summary>
internal static class MailOAuthSignIn
{
    /// <summary>
    /// Signs in with <c>OAUTHBEARER</c> (RFC 7628) when the server offers it and <paramref name="canUseOAuthBearer"/>
    /// (MailKit's mechanism needs the server's address, which only MailKit's own clients set), <c>XOAUTH2</c> otherwise. A refusal
    /// drops the token and marks the connection as needing reconnect; there is no fallback to a password.
    /// </summary>
    /// <exception cref="MailOAuthRefusedException">The provider or the server refused.</exception>
    public static async Task SignInAsync(this MailOAuthTokens tokens, string connection, string userName, IEnumerable<string> offeredMechanisms, bool canUseOAuthBearer, Func<SaslMechanism, CancellationToken, Task> authenticate, CancellationToken cancellationToken)
    {
        var offered = offeredMechanisms.Select(m => m.ToUpperInvariant()).ToHashSet(StringComparer.Ordinal);
        var accessToken = await tokens.GetAccessTokenAsync(connection, cancellationToken).ConfigureAwait(false);
        SaslMechanism sasl = canUseOAuthBearer && offered.Contains("OAUTHBEARER") ? new SaslMechanismOAuthBearer(userName, accessToken)
            : offered.Contains("XOAUTH2") ? new SaslMechanismOAuth2(userName, accessToken)
            : throw new MailOAuthRefusedException($"The server offers no OAuth mechanism this client uses ({(canUseOAuthBearer ? "OAUTHBEARER or XOAUTH2" : "XOAUTH2")}); it offers {(offered.Count == 0 ? "no authentication" : string.Join(' ', offered))}.");
        try
        {
            await authenticate(sasl, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MailKit.Security.AuthenticationException or System.Security.Authentication.AuthenticationException)
        {
            tokens.Refused(connection, accessToken, ex.Message);
            throw new MailOAuthRefusedException($"The server refused the OAuth token ({sasl.MechanismName}): {ex.Message}", ex);
        }

        tokens.Succeeded(connection);
    }
}
