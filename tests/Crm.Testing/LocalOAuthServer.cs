using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Crm.Testing;

/// <summary>
/// An OAuth 2.0 authorization server on a loopback port, as the tests need one (no cloud call): the token endpoint
/// (RFC 6749: client credentials with a secret or a certificate-signed assertion, RFC 7523; refresh tokens, rotated
/// when <see cref="RotateRefreshTokens"/>; authorization codes with PKCE, RFC 7636), an authorization endpoint that
/// consents at once and redirects back with a code, and token introspection (RFC 7662) for Dovecot's oauth2 passdb.
/// <see cref="Refusing"/> makes it answer <c>invalid_grant</c> and declare every issued token inactive.
/// </summary>
public sealed class LocalOAuthServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, (string User, DateTimeOffset Expires)> _accessTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _refreshTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Challenge, string RedirectUri)> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Dictionary<string, string>> _tokenRequests = new();
    private readonly Task _loop;

    private LocalOAuthServer(int port)
    {
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string ClientId { get; init; } = "crm-tests";

    public string ClientSecret { get; init; } = "crm-tests-secret";

    /// <summary>The certificate a client may sign its assertion with instead of the secret.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>The mailbox every token is for (Dovecot checks it against the login).</summary>
    public string User { get; init; } = DovecotServer.UserName;

    /// <summary>How long an access token lives.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>While true: the token endpoint answers <c>invalid_grant</c> and introspection calls every token inactive.</summary>
    public bool Refusing { get; set; }

    /// <summary>Issue a new refresh token with each refresh (as Microsoft does), invalidating the old one.</summary>
    public bool RotateRefreshTokens { get; init; }

    public Uri TokenEndpoint => new($"http://127.0.0.1:{Port}/token");

    public Uri AuthorizationEndpoint => new($"http://127.0.0.1:{Port}/authorize");

    public Uri IntrospectionEndpoint => new($"http://127.0.0.1:{Port}/introspect");

    /// <summary>Every token request's form, in order.</summary>
    public IReadOnlyList<Dictionary<string, string>> TokenRequests => [.. _tokenRequests];

    /// <summary>The access tokens issued, newest last.</summary>
    public IReadOnlyList<string> IssuedAccessTokens => [.. _issued];

    private readonly ConcurrentQueue<string> _issued = new();

    public static Task<LocalOAuthServer> StartAsync(Func<int, LocalOAuthServer>? create = null) =>
        LoopbackPort.StartOnFreePortAsync(port => Task.FromResult((create ?? (p => new LocalOAuthServer(p)))(port)));

    /// <summary>Creates a server on <paramref name="port"/> with settings (for <see cref="StartAsync"/>).</summary>
    public static LocalOAuthServer On(int port, string? clientId = null, X509Certificate2? certificate = null, bool rotate = false) =>
        new(port) { ClientId = clientId ?? "crm-tests", ClientCertificate = certificate, RotateRefreshTokens = rotate };

    /// <summary>A refresh token as a user's consent would have produced.</summary>
    public string IssueRefreshToken()
    {
        var token = "rt-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _refreshTokens[token] = User;
        return token;
    }

    /// <summary>Makes every access token issued so far expire now (as a provider's clock would).</summary>
    public void ExpireAccessTokens()
    {
        foreach (var (token, grant) in _accessTokens)
        {
            _accessTokens[token] = (grant.User, DateTimeOffset.UtcNow.AddSeconds(-1));
        }
    }

    public bool IsActive(string accessToken) =>
        !Refusing && _accessTokens.TryGetValue(accessToken, out var grant) && grant.Expires > DateTimeOffset.UtcNow;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            var path = context.Request.Url!.AbsolutePath;
            if (path == "/authorize" && context.Request.HttpMethod == "GET")
            {
                Authorize(context);
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var form = ParseForm(await reader.ReadToEndAsync());
            var (status, body) = path switch
            {
                "/token" => Token(form),
                "/introspect" => (200, form.TryGetValue("token", out var token) && IsActive(token)
                    ? JsonSerializer.Serialize(new { active = "true", username = _accessTokens[token].User })
                    : """{"active":"false"}"""),
                _ => (404, """{"error":"not_found"}"""),
            };
            await WriteAsync(context, status, body);
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
        {
        }
    }

    private void Authorize(HttpListenerContext context)
    {
        var query = ParseForm(context.Request.Url!.Query.TrimStart('?'));
        var redirect = query.GetValueOrDefault("redirect_uri") ?? "";
        if (query.GetValueOrDefault("client_id") != ClientId || query.GetValueOrDefault("response_type") != "code"
            || query.GetValueOrDefault("code_challenge_method") != "S256" || string.IsNullOrEmpty(query.GetValueOrDefault("code_challenge")) || redirect.Length == 0)
        {
            context.Response.StatusCode = 400;
            context.Response.Close();
            return;
        }

        var code = "code-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _codes[code] = (query["code_challenge"], redirect);
        context.Response.StatusCode = 302;
        context.Response.RedirectLocation = $"{redirect}{(redirect.Contains('?', StringComparison.Ordinal) ? '&' : '?')}code={code}&state={Uri.EscapeDataString(query.GetValueOrDefault("state") ?? "")}";
        context.Response.Close();
    }

    private (int Status, string Body) Token(Dictionary<string, string> form)
    {
        _tokenRequests.Enqueue(form);
        if (!ClientAuthenticated(form))
        {
            return (401, """{"error":"invalid_client","error_description":"The client could not be authenticated."}""");
        }

        if (Refusing)
        {
            return (400, """{"error":"invalid_grant","error_description":"AADSTS50173: The provided grant has expired due to it being revoked."}""");
        }

        string? refresh = null;
        switch (form.GetValueOrDefault("grant_type"))
        {
            case "client_credentials":
                break;
            case "refresh_token" when form.TryGetValue("refresh_token", out var presented) && _refreshTokens.ContainsKey(presented):
                if (RotateRefreshTokens)
                {
                    _refreshTokens.TryRemove(presented, out _);
                    refresh = IssueRefreshToken();
                }

                break;
            case "authorization_code" when form.TryGetValue("code", out var code) && _codes.TryRemove(code, out var issued):
                var verifier = form.GetValueOrDefault("code_verifier") ?? "";
                var challenge = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
                if (challenge != issued.Challenge || form.GetValueOrDefault("redirect_uri") != issued.RedirectUri)
                {
                    return (400, """{"error":"invalid_grant","error_description":"PKCE verification failed."}""");
                }

                refresh = IssueRefreshToken();
                break;
            default:
                return (400, """{"error":"invalid_grant","error_description":"Unknown or used grant."}""");
        }

        var access = "at-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        _accessTokens[access] = (User, DateTimeOffset.UtcNow + TokenLifetime);
        _issued.Enqueue(access);
        return (200, JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["access_token"] = access,
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)Math.Ceiling(TokenLifetime.TotalSeconds),
            ["refresh_token"] = refresh,
        }));
    }

    private bool ClientAuthenticated(Dictionary<string, string> form)
    {
        if (form.GetValueOrDefault("client_id") != ClientId)
        {
            return false;
        }

        if (form.TryGetValue("client_assertion", out var assertion) && ClientCertificate is not null)
        {
            var parts = assertion.Split('.');
            using var key = ClientCertificate.GetRSAPublicKey()!;
            var valid = parts.Length == 3 && key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var payload = JsonDocument.Parse(FromBase64Url(parts[1]));
            return valid && payload.RootElement.GetProperty("iss").GetString() == ClientId && payload.RootElement.GetProperty("aud").GetString() == TokenEndpoint.AbsoluteUri
                && form.GetValueOrDefault("client_assertion_type") == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
        }

        // A public client (PKCE) sends no secret; a confidential one must send the right one.
        return form.GetValueOrDefault("client_secret") == ClientSecret || (form.GetValueOrDefault("grant_type") != "client_credentials" && !form.ContainsKey("client_secret"));
    }

    private static byte[] FromBase64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '='));
    }

    private static Dictionary<string, string> ParseForm(string text) =>
        text.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "", StringComparer.Ordinal);

    private static async Task WriteAsync(HttpListenerContext context, int status, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }
}
