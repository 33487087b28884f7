using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Crm.Admin.Pages.Mailboxes;

/// <summary>
/// The authorization-code flow with PKCE (RFC 7636) that connects a mailbox: the verifier and the state live only in
/// an encrypted, HTTP-only cookie of the browser that started it (ten minutes), so the callback completes exactly the
/// flow that browser's Manager began; a tampered or replayed state is refused.
/// </summary>
internal static class MailboxConnectFlow
{
    public const string CookieName = "crm-admin-mailbox-connect";

    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    public sealed record Pending(string Connection, string State, string Verifier, string User, DateTimeOffset Expires);

    /// <summary>Starts a flow: a fresh verifier (256 random bits) and state; the challenge is the verifier's SHA-256.</summary>
    public static (Pending Flow, string Challenge) Start(string connection, string user, DateTimeOffset now)
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var state = Base64Url(RandomNumberGenerator.GetBytes(24));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return (new Pending(connection, state, verifier, user, now + Lifetime), challenge);
    }

    public static void Save(HttpResponse response, IDataProtectionProvider protection, Pending flow, string path)
    {
        var sealedFlow = Protector(protection).Protect(JsonSerializer.Serialize(flow));
        response.Cookies.Append(CookieName, sealedFlow, new CookieOptions
        {
            HttpOnly = true,
            Secure = response.HttpContext.Request.IsHttps,
            // Lax: the provider sends the browser back with a top-level GET from its own site.
            SameSite = SameSiteMode.Lax,
            Path = path,
            MaxAge = Lifetime,
            IsEssential = true,
        });
    }

    /// <summary>The flow this browser started, when <paramref name="state"/> is its state and it has not expired; null otherwise.</summary>
    public static Pending? Take(HttpRequest request, IDataProtectionProvider protection, string? state, string user, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(state) || request.Cookies[CookieName] is not { Length: > 0 } cookie)
        {
            return null;
        }

        Pending? flow;
        try
        {
            flow = JsonSerializer.Deserialize<Pending>(Protector(protection).Unprotect(cookie));
        }
        catch (Exception ex) when (ex is CryptographicException or JsonException)
        {
            return null;
        }

        return flow is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(flow.State), Encoding.ASCII.GetBytes(state))
            && string.Equals(flow.User, user, StringComparison.Ordinal)
            && flow.Expires > now
            ? flow
            : null;
    }

    public static void Clear(HttpResponse response, string path) => response.Cookies.Delete(CookieName, new CookieOptions { Path = path });

    private static IDataProtector Protector(IDataProtectionProvider protection) => protection.CreateProtector("Crm.Admin.MailboxConnect");

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
