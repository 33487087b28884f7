using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Crm.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;

namespace Crm.Mail.OAuth;

/// <summary>
/// The access tokens of every OAuth mail connection of the host (IMAP mailboxes, the reply sender, the campaign
/// sender), by the OAuth 2.0 protocol (RFC 6749) over <see cref="HttpClient"/>: client credentials, or a refresh token
/// (configured, or kept encrypted in the store by the admin's connect flow, RFC 7636). A token is cached and renewed
/// before it expires, once however many connections ask at the same time. A refusal (by the provider or the mail
/// server) marks the connection <see cref="MailOAuthStatus.NeedsReconnect"/> until a token works again; no token and
/// no secret is ever logged.
/// </summary>
internal sealed partial class MailOAuthTokens
{
    public const string HttpClientName = "Crm.Mail.OAuth";

    /// <summary>A token endpoint's answer is a few hundred bytes; more is not an answer to read into memory.</summary>
    private const int MaxResponseBytes = 64 * 1024;

    /// <summary>RFC 6749 §5.2 errors that no retry mends: the grant or the client must change.</summary>
    private static readonly HashSet<string> RefusalCodes = new(StringComparer.Ordinal)
    {
        "invalid_grant", "invalid_client", "unauthorized_client", "invalid_scope", "unsupported_grant_type", "access_denied", "invalid_request",
    };

    private readonly ConcurrentDictionary<string, Connection> _connections = new(StringComparer.Ordinal);
    private readonly IHttpClientFactory _http;
    private readonly ICrmSecretStore _secrets;
    private readonly IDataProtector _protector;
    private readonly TimeProvider _time;
    private readonly ILogger<MailOAuthTokens> _logger;

    public MailOAuthTokens(IServiceProvider services, IEnumerable<MailOAuthRegistration> registrations, IHttpClientFactory http, ICrmSecretStore secrets, IDataProtectionProvider protection, TimeProvider time, ILogger<MailOAuthTokens> logger)
    {
        _http = http;
        _secrets = secrets;
        _protector = protection.CreateProtector("Crm.Mail.OAuth.RefreshToken");
        _time = time;
        _logger = logger;
        foreach (var registration in registrations)
        {
            if (registration.Resolve(services) is { OAuth.IsEnabled: true } resolved)
            {
                Register(registration.Name, resolved.Account, resolved.OAuth);
            }
        }
    }

    /// <summary>Declares a connection (idempotent; the latest settings win).</summary>
    public void Register(string name, string account, MailOAuthOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        _connections.AddOrUpdate(name, _ => new Connection(name, account, options), (_, existing) => existing.Options == options ? existing : new Connection(name, account, options));
    }

    public bool IsRegistered(string name) => _connections.ContainsKey(name);

    /// <summary>Every connection's state, by name.</summary>
    public async Task<IReadOnlyList<MailOAuthConnectionState>> StatesAsync(CancellationToken cancellationToken)
    {
        var states = new List<MailOAuthConnectionState>();
        foreach (var connection in _connections.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            var stored = await _secrets.GetSecretAsync(RefreshTokenName(connection.Name), cancellationToken).ConfigureAwait(false);
            states.Add(connection.State(stored is not null));
        }

        return states;
    }

    /// <summary>The states known without reading the store (for the health check, which must not depend on it).</summary>
    public IReadOnlyList<MailOAuthConnectionState> CurrentStates() =>
        [.. _connections.Values.OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => c.State(isConnected: false))];

    /// <summary>A token to sign in with, from the cache while it is fresh.</summary>
    /// <exception cref="MailOAuthRefusedException">The provider refused: the connection needs reconnecting.</exception>
    /// <exception cref="HttpRequestException">The provider could not be reached or failed: try again later.</exception>
    public async Task<string> GetAccessTokenAsync(string name, CancellationToken cancellationToken)
    {
        var connection = Get(name);
        if (connection.Fresh(_time.GetUtcNow()) is { } cached)
        {
            return cached;
        }

        await connection.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Whoever waited here while another caller renewed the token takes that one.
            if (connection.Fresh(_time.GetUtcNow()) is { } renewed)
            {
                return renewed;
            }

            try
            {
                var token = await RequestAsync(connection, cancellationToken).ConfigureAwait(false);
                connection.Cache(token.AccessToken, token.RefreshAt);
                return token.AccessToken;
            }
            catch (MailOAuthRefusedException ex)
            {
                connection.NeedsReconnect(ex.Message, _time.GetUtcNow());
                LogRefused(_logger, name, ex.Message);
                throw;
            }
        }
        finally
        {
            connection.Gate.Release();
        }
    }

    /// <summary>The mail server refused <paramref name="accessToken"/>: it is dropped, and the connection needs reconnecting until a token works.</summary>
    public void Refused(string name, string accessToken, string reason)
    {
        var connection = Get(name);
        connection.Forget(accessToken);
        connection.NeedsReconnect(reason, _time.GetUtcNow());
        LogServerRefused(_logger, name, reason);
    }

    /// <summary>A token was accepted.</summary>
    public void Succeeded(string name)
    {
        if (_connections.TryGetValue(name, out var connection) && connection.Connected(_time.GetUtcNow()))
        {
            LogReconnected(_logger, name);
        }
    }

    /// <summary>The address a Manager's browser is sent to for consent (authorization code with PKCE, RFC 7636).</summary>
    public Uri AuthorizationUri(string name, Uri redirectUri, string state, string codeChallenge)
    {
        var options = Get(name).Options;
        var endpoint = options.ResolvedAuthorizationEndpoint ?? throw new InvalidOperationException($"The mail connection '{name}' has no authorization endpoint.");
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = options.ClientId,
            ["redirect_uri"] = redirectUri.AbsoluteUri,
            ["scope"] = options.ResolvedScope,
            ["state"] = state,
            ["code_challenge"] = codeChallenge,
            ["code_challenge_method"] = "S256",
        };
        if (options.Provider == MailOAuthProvider.Google)
        {
            // Google issues a refresh token only when asked for offline access, and again only on renewed consent.
            query["access_type"] = "offline";
            query["prompt"] = "consent";
        }

        var separator = string.IsNullOrEmpty(endpoint.Query) ? "?" : "&";
        return new Uri(endpoint.AbsoluteUri + separator + string.Join('&', query.Where(p => p.Value is not null).Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value!)}")));
    }

    /// <summary>Exchanges an authorization code for tokens and keeps the refresh token, encrypted, in the store.</summary>
    public async Task ConnectAsync(string name, string code, Uri redirectUri, string codeVerifier, CancellationToken cancellationToken)
    {
        var connection = Get(name);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri.AbsoluteUri,
            ["code_verifier"] = codeVerifier,
        };
        await connection.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var token = await PostAsync(connection, form, cancellationToken).ConfigureAwait(false);
            if (token.RefreshToken is null)
            {
                throw new MailOAuthRefusedException("The provider issued no refresh token (ask for offline access: the scope offline_access, or Google's access_type=offline).");
            }

            await SaveRefreshTokenAsync(name, token.RefreshToken, cancellationToken).ConfigureAwait(false);
            connection.Cache(token.AccessToken, token.RefreshAt);
            connection.Connected(_time.GetUtcNow());
            LogConnected(_logger, name);
        }
        finally
        {
            connection.Gate.Release();
        }
    }

    /// <summary>Forgets the connected refresh token (and the cached token).</summary>
    public async Task DisconnectAsync(string name, CancellationToken cancellationToken)
    {
        var connection = Get(name);
        await _secrets.RemoveSecretAsync(RefreshTokenName(name), cancellationToken).ConfigureAwait(false);
        connection.Forget(null);
    }

    /// <summary>The store key of a connection's refresh token (encrypted with Data Protection).</summary>
    internal static string RefreshTokenName(string name) => $"mail.oauth.{name}.refresh_token";

    private Connection Get(string name) =>
        _connections.TryGetValue(name, out var connection) ? connection : throw new InvalidOperationException($"No OAuth mail connection is named '{name}'.");

    private async Task<IssuedToken> RequestAsync(Connection connection, CancellationToken cancellationToken)
    {
        var options = connection.Options;
        if (!options.IsDelegated)
        {
            return await PostAsync(connection, new Dictionary<string, string> { ["grant_type"] = "client_credentials" }, cancellationToken).ConfigureAwait(false);
        }

        var refreshToken = await ReadRefreshTokenAsync(connection.Name, cancellationToken).ConfigureAwait(false) ?? options.RefreshToken;
        if (string.IsNullOrEmpty(refreshToken))
        {
            throw new MailOAuthRefusedException("Not connected yet: a Manager connects this mailbox in the admin (Mailboxes), or set its OAuth RefreshToken.");
        }

        var token = await PostAsync(connection, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken }, cancellationToken).ConfigureAwait(false);
        if (token.RefreshToken is { } rotated && rotated != refreshToken)
        {
            // Providers that rotate refresh tokens invalidate the old one: keep the new one, for every instance.
            await SaveRefreshTokenAsync(connection.Name, rotated, cancellationToken).ConfigureAwait(false);
        }

        return token;
    }

    private async Task<string?> ReadRefreshTokenAsync(string name, CancellationToken cancellationToken)
    {
        var stored = await _secrets.GetSecretAsync(RefreshTokenName(name), cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(_protector.Unprotect(stored));
        }
        catch (CryptographicException ex)
        {
            // Encrypted with a key this instance does not have (Data Protection keys not shared): say so, not "refused".
            throw new MailOAuthRefusedException("The connected refresh token cannot be decrypted here: share the Data Protection keys between instances (PersistCrmDataProtectionKeys), or connect again.", ex);
        }
    }

    private Task SaveRefreshTokenAsync(string name, string refreshToken, CancellationToken cancellationToken) =>
        _secrets.SetSecretAsync(RefreshTokenName(name), _protector.Protect(Encoding.UTF8.GetBytes(refreshToken)), cancellationToken);

    private async Task<IssuedToken> PostAsync(Connection connection, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        var options = connection.Options;
        var endpoint = options.ResolvedTokenEndpoint;
        form["client_id"] = options.ClientId!;
        if (!string.IsNullOrEmpty(options.ClientCertificatePath))
        {
            form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
            form["client_assertion"] = ClientAssertion(options.ClientCertificatePath, options.ClientId!, endpoint, _time.GetUtcNow());
        }
        else if (!string.IsNullOrEmpty(options.ClientSecret))
        {
            form["client_secret"] = options.ClientSecret;
        }

        if (options.ResolvedScope is { } scope && form["grant_type"] != "authorization_code")
        {
            form["scope"] = scope;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var client = _http.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Accept.ParseAdd("application/json");
        HttpResponseMessage response;
        byte[] body;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            body = await ReadBoundedAsync(response, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HttpRequestException($"The token endpoint {endpoint.GetLeftPart(UriPartial.Path)} did not answer within {options.Timeout}.", ex);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            JsonElement json = default;
            var parsed = false;
            try
            {
                using var document = JsonDocument.Parse(body);
                json = document.RootElement.Clone();
                parsed = json.ValueKind == JsonValueKind.Object;
            }
            catch (JsonException)
            {
            }

            if (status is >= 200 and < 300 && parsed && Text(json, "access_token") is { Length: > 0 } accessToken)
            {
                var lifetime = Seconds(json, "expires_in") is { } seconds and > 0 ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(5);
                // Renewed before it expires: a tenth of its life early, at most five minutes, so a connection opened
                // just before the end does not sign in with a token that dies on the way.
                var margin = TimeSpan.FromTicks(Math.Min(lifetime.Ticks / 10, TimeSpan.FromMinutes(5).Ticks));
                return new IssuedToken(accessToken, _time.GetUtcNow() + lifetime - margin, Text(json, "refresh_token"));
            }

            var error = parsed ? Text(json, "error") : null;
            var description = parsed ? Text(json, "error_description") : null;
            var words = error is null ? $"HTTP {status}" : description is null ? error : $"{error}: {description}";
            if (status is >= 500 or 429 or 408)
            {
                throw new HttpRequestException($"The token endpoint failed ({words}); trying again later.", null, response.StatusCode);
            }

            if (error is not null && !RefusalCodes.Contains(error))
            {
                throw new MailOAuthRefusedException($"The token endpoint answered {words}.");
            }

            throw new MailOAuthRefusedException(status is >= 200 and < 300 ? "The token endpoint's answer has no access_token." : $"The token endpoint refused: {words}.");
        }
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxResponseBytes)
        {
            throw new HttpRequestException($"The token endpoint's answer is larger than {MaxResponseBytes} bytes.");
        }

        using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxResponseBytes)
            {
                throw new HttpRequestException($"The token endpoint's answer is larger than {MaxResponseBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>A client assertion (RFC 7523 §2.2) signed with the application's certificate, as Microsoft Entra ID takes it.</summary>
    internal static string ClientAssertion(string certificatePath, string clientId, Uri audience, DateTimeOffset now)
    {
        using var certificate = X509Certificate2.CreateFromPemFile(certificatePath);
        using var key = certificate.GetRSAPrivateKey() ?? throw new MailOAuthRefusedException($"The certificate '{certificatePath}' holds no RSA private key.");
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["alg"] = "RS256",
            ["typ"] = "JWT",
            ["x5t"] = Base64Url(certificate.GetCertHash()),
            ["x5t#S256"] = Base64Url(certificate.GetCertHash(HashAlgorithmName.SHA256)),
        });
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["aud"] = audience.AbsoluteUri,
            ["iss"] = clientId,
            ["sub"] = clientId,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(5).ToUnixTimeSeconds(),
        });
        var signed = Base64Url(header) + "." + Base64Url(payload);
        var signature = key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signed + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double? Seconds(JsonElement json, string name)
    {
        if (!json.TryGetProperty(name, out var value))
        {
            return null;
        }

        // expires_in is a number; some providers send it as a string.
        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetDouble(out var number) => number,
            JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var text) => text,
            _ => null,
        };
    }

    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "Mail connection {Connection} needs reconnecting: {Reason}")]
    private static partial void LogRefused(ILogger logger, string connection, string reason);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "The mail server refused the OAuth token of {Connection}: {Reason}")]
    private static partial void LogServerRefused(ILogger logger, string connection, string reason);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Information, Message = "Mail connection {Connection} signs in again")]
    private static partial void LogReconnected(ILogger logger, string connection);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Information, Message = "Mail connection {Connection} was connected in the admin")]
    private static partial void LogConnected(ILogger logger, string connection);

    private sealed record IssuedToken(string AccessToken, DateTimeOffset RefreshAt, string? RefreshToken);

    private sealed class Connection(string name, string account, MailOAuthOptions options)
    {
        private readonly Lock _lock = new();
        private string? _token;
        private DateTimeOffset _refreshAt;
        private MailOAuthStatus _status;
        private string? _reason;
        private DateTimeOffset? _since;
        private DateTimeOffset? _lastSuccessAt;

        public string Name { get; } = name;

        public MailOAuthOptions Options { get; } = options;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public string? Fresh(DateTimeOffset now)
        {
            lock (_lock)
            {
                return _token is not null && now < _refreshAt ? _token : null;
            }
        }

        public void Cache(string token, DateTimeOffset refreshAt)
        {
            lock (_lock)
            {
                _token = token;
                _refreshAt = refreshAt;
            }
        }

        public void Forget(string? token)
        {
            lock (_lock)
            {
                if (token is null || _token == token)
                {
                    _token = null;
                }
            }
        }

        public void NeedsReconnect(string reason, DateTimeOffset now)
        {
            lock (_lock)
            {
                _since = _status == MailOAuthStatus.NeedsReconnect ? _since : now;
                _status = MailOAuthStatus.NeedsReconnect;
                _reason = reason;
            }
        }

        /// <summary>Marks the connection working; true when it needed reconnecting before.</summary>
        public bool Connected(DateTimeOffset now)
        {
            lock (_lock)
            {
                var recovered = _status == MailOAuthStatus.NeedsReconnect;
                _status = MailOAuthStatus.Connected;
                _reason = null;
                _since = null;
                _lastSuccessAt = now;
                return recovered;
            }
        }

        public MailOAuthConnectionState State(bool isConnected)
        {
            lock (_lock)
            {
                return new MailOAuthConnectionState(Name, account, _status, _reason, _since, _lastSuccessAt, Options.IsDelegated && Options.ResolvedAuthorizationEndpoint is not null, isConnected);
            }
        }
    }
}
