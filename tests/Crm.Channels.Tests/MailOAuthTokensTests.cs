using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Crm.Mail.OAuth;
using Crm.Security;
using Crm.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Crm.Storage.EfCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace Crm.Channels.Tests;

/// <summary>The OAuth token cache against a real authorization server on loopback (no cloud call).</summary>
public sealed class MailOAuthTokensTests : IAsyncLifetime
{
    private const string Connection = "imap";
    private readonly string _keys = Directory.CreateTempSubdirectory("crm-dp-keys-").FullName;
    private readonly List<ServiceProvider> _providers = [];
    private LocalOAuthServer _server = null!;

    public async Task InitializeAsync() => _server = await LocalOAuthServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        await _server.DisposeAsync();
        Directory.Delete(_keys, recursive: true);
    }

    [Fact]
    public async Task Concurrent_connections_share_one_token_request_and_a_token_is_renewed_before_it_expires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _server.TokenLifetime = TimeSpan.FromMinutes(10);
        var tokens = Tokens(ClientCredentials(), time: time);

        var all = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => tokens.GetAccessTokenAsync(Connection, CancellationToken.None)));

        Assert.Single(all.Distinct());
        Assert.Single(_server.TokenRequests);
        var form = _server.TokenRequests[0];
        Assert.Equal(("client_credentials", "crm-tests", "crm-tests-secret", "https://outlook.office365.com/.default"), (form["grant_type"], form["client_id"], form["client_secret"], form["scope"]));

        // A tenth of its life before it ends (one minute of ten), it is renewed; before that, it is reused.
        time.Advance(TimeSpan.FromMinutes(8.9));
        Assert.Equal(all[0], await tokens.GetAccessTokenAsync(Connection, CancellationToken.None));
        time.Advance(TimeSpan.FromMinutes(0.2));
        var renewed = await tokens.GetAccessTokenAsync(Connection, CancellationToken.None);
        Assert.NotEqual(all[0], renewed);
        Assert.Equal(2, _server.TokenRequests.Count);
    }

    [Fact]
    public async Task A_refused_grant_marks_the_connection_needs_reconnect_in_health_and_a_working_token_clears_it()
    {
        var tokens = Tokens(ClientCredentials());
        var health = new MailOAuthHealthCheck(tokens, Connection);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(Context())).Status);

        _server.Refusing = true;
        var refused = await Assert.ThrowsAsync<MailOAuthRefusedException>(() => tokens.GetAccessTokenAsync(Connection, CancellationToken.None));
        Assert.Contains("invalid_grant", refused.Message, StringComparison.Ordinal);
        var state = Assert.Single(tokens.CurrentStates());
        Assert.Equal(MailOAuthStatus.NeedsReconnect, state.Status);
        var result = await health.CheckHealthAsync(Context());
        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains("imap (support@example.com) needs reconnect: The token endpoint refused: invalid_grant", result.Description, StringComparison.Ordinal);

        _server.Refusing = false;
        await tokens.GetAccessTokenAsync(Connection, CancellationToken.None);
        tokens.Succeeded(Connection);
        Assert.Equal(MailOAuthStatus.Connected, Assert.Single(tokens.CurrentStates()).Status);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(Context())).Status);
    }

    [Fact]
    public async Task A_token_the_mail_server_refuses_is_dropped_so_the_next_sign_in_asks_for_a_new_one()
    {
        var tokens = Tokens(ClientCredentials());
        var first = await tokens.GetAccessTokenAsync(Connection, CancellationToken.None);
        tokens.Refused(Connection, first, "535 5.7.8 token expired");

        Assert.Equal(MailOAuthStatus.NeedsReconnect, Assert.Single(tokens.CurrentStates()).Status);
        Assert.Equal("535 5.7.8 token expired", Assert.Single(tokens.CurrentStates()).Reason);
        Assert.NotEqual(first, await tokens.GetAccessTokenAsync(Connection, CancellationToken.None));
    }

    [Fact]
    public async Task A_provider_outage_is_a_transient_failure_not_a_needed_reconnect()
    {
        var options = ClientCredentials();
        options.TokenEndpoint = new Uri($"http://127.0.0.1:{_server.Port}/missing-then-500");
        await using var failing = await FailingEndpoint.StartAsync(500, """{"error":"temporarily_unavailable"}""");
        options.TokenEndpoint = failing.Address;
        var tokens = Tokens(options);

        await Assert.ThrowsAsync<HttpRequestException>(() => tokens.GetAccessTokenAsync(Connection, CancellationToken.None));
        Assert.NotEqual(MailOAuthStatus.NeedsReconnect, Assert.Single(tokens.CurrentStates()).Status);
    }

    [Fact]
    public async Task An_oversized_token_answer_is_refused_without_reading_it_into_memory()
    {
        await using var huge = await FailingEndpoint.StartAsync(200, "{\"access_token\":\"" + new string('a', 200_000) + "\"}");
        var options = ClientCredentials();
        options.TokenEndpoint = huge.Address;

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => Tokens(options).GetAccessTokenAsync(Connection, CancellationToken.None));
        Assert.Contains("larger than 65536 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_signs_the_client_assertion_instead_of_a_secret()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=crm-tests", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var pem = Path.Combine(_keys, "client.pem");
        await File.WriteAllTextAsync(pem, certificate.ExportCertificatePem() + "\n" + rsa.ExportPkcs8PrivateKeyPem());
        await using var server = await LocalOAuthServer.StartAsync(port => LocalOAuthServer.On(port, certificate: X509CertificateLoader.LoadCertificate(certificate.RawData)));
        var options = new MailOAuthOptions { TokenEndpoint = server.TokenEndpoint, ClientId = "crm-tests", ClientCertificatePath = pem, Grant = MailOAuthGrant.ClientCredentials };

        Assert.StartsWith("at-", await Tokens(options).GetAccessTokenAsync(Connection, CancellationToken.None), StringComparison.Ordinal);
        var form = Assert.Single(server.TokenRequests);
        Assert.False(form.ContainsKey("client_secret"));
        Assert.Equal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", form["client_assertion_type"]);
    }

    [Fact]
    public async Task A_rotated_refresh_token_is_kept_encrypted_in_the_store_and_used_by_a_second_instance()
    {
        await using var server = await LocalOAuthServer.StartAsync(port => LocalOAuthServer.On(port, rotate: true));
        var configured = server.IssueRefreshToken();
        var options = new MailOAuthOptions { TokenEndpoint = server.TokenEndpoint, ClientId = "crm-tests", RefreshToken = configured, Scope = "https://mail.google.com/" };
        var database = Path.Combine(_keys, "crm.db");
        var first = Tokens(options, database: database);

        await first.GetAccessTokenAsync(Connection, CancellationToken.None);
        Assert.Equal(("refresh_token", configured), (server.TokenRequests[0]["grant_type"], server.TokenRequests[0]["refresh_token"]));

        // What the store holds is not the token: Data Protection's ciphertext.
        var stored = await ReadSettingAsync(database, MailOAuthTokens.RefreshTokenName(Connection));
        Assert.NotNull(stored);
        Assert.DoesNotContain("rt-", Encoding.UTF8.GetString(Convert.FromBase64String(stored)), StringComparison.Ordinal);

        // Another instance (its own process memory, the same database and key ring) signs in with the rotated token;
        // the configured one is no longer valid.
        var second = Tokens(options, database: database);
        Assert.StartsWith("at-", await second.GetAccessTokenAsync(Connection, CancellationToken.None), StringComparison.Ordinal);
        Assert.NotEqual(configured, server.TokenRequests[1]["refresh_token"]);
    }

    [Fact]
    public async Task Delegated_access_without_a_refresh_token_needs_connecting_and_says_how()
    {
        var options = new MailOAuthOptions { TokenEndpoint = _server.TokenEndpoint, AuthorizationEndpoint = _server.AuthorizationEndpoint, ClientId = "crm-tests" };
        var tokens = Tokens(options);

        var error = await Assert.ThrowsAsync<MailOAuthRefusedException>(() => tokens.GetAccessTokenAsync(Connection, CancellationToken.None));
        Assert.Contains("connects this mailbox in the admin", error.Message, StringComparison.Ordinal);
        Assert.Empty(_server.TokenRequests);
        Assert.True(Assert.Single(tokens.CurrentStates()).CanConnect);
    }

    [Theory]
    [InlineData(MailOAuthProvider.Microsoft, "contoso.onmicrosoft.com", "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token", "https://outlook.office365.com/.default")]
    [InlineData(MailOAuthProvider.Google, null, "https://oauth2.googleapis.com/token", "https://mail.google.com/")]
    public void Known_providers_fill_in_their_endpoints_and_scopes(MailOAuthProvider provider, string? tenant, string tokenEndpoint, string scope)
    {
        var options = new MailOAuthOptions { Provider = provider, Tenant = tenant, ClientId = "id", ClientSecret = "secret" };
        Assert.True(options.IsEnabled);
        Assert.Null(options.Problem());
        Assert.Equal(tokenEndpoint, options.ResolvedTokenEndpoint.AbsoluteUri);
        Assert.Equal(scope, options.ResolvedScope);
    }

    [Fact]
    public void Settings_that_cannot_work_are_refused_at_start()
    {
        Assert.Null(new MailOAuthOptions().Problem());
        Assert.Equal("OAuth needs a ClientId.", new MailOAuthOptions { TokenEndpoint = _server.TokenEndpoint }.Problem());
        Assert.Contains("needs a ClientSecret or a ClientCertificatePath", new MailOAuthOptions { TokenEndpoint = _server.TokenEndpoint, ClientId = "x" }.Problem(), StringComparison.Ordinal);
        Assert.Contains("is not an absolute http(s) address", new MailOAuthOptions { TokenEndpoint = new Uri("file:///etc/passwd"), ClientId = "x", ClientSecret = "y" }.Problem(), StringComparison.Ordinal);
    }

    private MailOAuthOptions ClientCredentials() => new()
    {
        Provider = MailOAuthProvider.Microsoft,
        TokenEndpoint = _server.TokenEndpoint,
        ClientId = "crm-tests",
        ClientSecret = "crm-tests-secret",
    };

    private MailOAuthTokens Tokens(MailOAuthOptions options, TimeProvider? time = null, string? database = null)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(time ?? TimeProvider.System);
        if (database is null)
        {
            services.AddSingleton<ICrmSecretStore, InMemoryCrmSecretStore>();
        }
        else
        {
            services.AddCrmEntityFrameworkStores(o => o.UseCrmSqlite($"Data Source={database};Pooling=False"));
        }

        // Two instances share the key ring as two hosts do: the database store keeps it (without one, a folder).
        var protection = services.AddDataProtection().SetApplicationName("crm-tests");
        if (database is null)
        {
            protection.PersistKeysToFileSystem(new DirectoryInfo(_keys));
        }
        services.AddMailOAuthConnection(Connection, _ => new MailOAuthAccount("support@example.com", options));
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        if (database is not null)
        {
            provider.MigrateCrmDatabaseAsync().GetAwaiter().GetResult();
        }

        return provider.GetRequiredService<MailOAuthTokens>();
    }

    private static async Task<string?> ReadSettingAsync(string database, string key)
    {
        await using var connection = new SqliteConnection($"Data Source={database}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM crm_settings WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return (string?)await command.ExecuteScalarAsync();
    }

    private static HealthCheckContext Context() => new()
    {
        Registration = new HealthCheckRegistration(MailOAuthServiceCollectionExtensions.HealthCheckName(Connection), _ => null!, HealthStatus.Degraded, null),
    };
}

/// <summary>An HTTP endpoint on loopback that answers every request with one status and body.</summary>
internal sealed class FailingEndpoint : IAsyncDisposable
{
    private readonly System.Net.HttpListener _listener = new();
    private readonly Task _loop;

    private FailingEndpoint(int port, int status, string body)
    {
        Address = new Uri($"http://127.0.0.1:{port}/token");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                try
                {
                    var context = await _listener.GetContextAsync();
                    var bytes = Encoding.UTF8.GetBytes(body);
                    context.Response.StatusCode = status;
                    context.Response.ContentType = "application/json";
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                }
                catch (Exception ex) when (ex is System.Net.HttpListenerException or ObjectDisposedException or IOException)
                {
                    return;
                }
            }
        });
    }

    public Uri Address { get; }

    public static Task<FailingEndpoint> StartAsync(int status, string body) =>
        LoopbackPort.StartOnFreePortAsync(port => Task.FromResult(new FailingEndpoint(port, status, body)));

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
