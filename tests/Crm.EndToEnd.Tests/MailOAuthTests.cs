using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Testing;

namespace Crm.EndToEnd.Tests;

/// <summary>
/// OAuth 2.0 sign-in through the sample host against real servers: Dovecot's oauth2 passdb asking a local
/// authorization server whether a token is active, and the scripted SMTP server offering XOAUTH2.
/// </summary>
public sealed class MailOAuthTests : IAsyncLifetime
{
    private const string AgentKey = "agent-key-oauth-sign-in-tests";
    private readonly string _data = Directory.CreateTempSubdirectory("crm-oauth-host-").FullName;
    private LocalOAuthServer _oauth = null!;

    public async Task InitializeAsync() => _oauth = await LocalOAuthServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _oauth.DisposeAsync();
        HostProcess.TryDeleteDirectory(_data);
    }

    [Fact]
    public async Task The_poller_signs_in_with_XOAUTH2_renews_an_expired_token_and_needs_reconnect_while_refused_then_recovers()
    {
        await using var dovecot = await DovecotServer.CreateAsync(_oauth.IntrospectionEndpoint, mechanisms: "xoauth2");
        _oauth.TokenLifetime = TimeSpan.FromSeconds(4);
        await using var host = await HostProcess.StartAsync(ImapSettings(dovecot), _data);
        using var agent = host.CreateClient(AgentKey);
        var key = Guid.NewGuid().ToString("N")[..8];

        await dovecot.DeliverAsync(Mail($"first.{key}", $"Token {key} one"));
        await WaitForTicketAsync(agent, $"Token {key} one");
        Assert.Contains("method=XOAUTH2", await File.ReadAllTextAsync(Path.Combine(dovecot.Directory, "dovecot.log")), StringComparison.Ordinal);
        Assert.Equal("Healthy", (await HealthAsync(host))["crm-mail-oauth-imap"]);

        // The token expires while the poller is connected; the server restarts, and the poller signs in with a new one.
        var before = _oauth.TokenRequests.Count;
        await Task.Delay(TimeSpan.FromSeconds(4));
        await dovecot.StopAsync();
        await dovecot.StartAsync();
        await dovecot.DeliverAsync(Mail($"second.{key}", $"Token {key} two"));
        await WaitForTicketAsync(agent, $"Token {key} two");
        Assert.True(_oauth.TokenRequests.Count > before, "a renewed token was asked for");
        Assert.All(_oauth.TokenRequests, form => Assert.Equal("client_credentials", form["grant_type"]));

        // The provider revokes the grant: every token turns inactive and no new one is issued. (Tokens live an hour
        // again: Dovecot delays sign-ins after failures by up to 15 s, longer than a 4-second token.)
        _oauth.TokenLifetime = TimeSpan.FromHours(1);
        _oauth.Refusing = true;
        await dovecot.StopAsync();
        await dovecot.StartAsync();
        await dovecot.DeliverAsync(Mail($"third.{key}", $"Token {key} three"));
        var health = await Poll.UntilAsync(() => HealthAsync(host), h => h["crm-mail-oauth-imap"] == "Degraded", TimeSpan.FromSeconds(20), "the mailbox to need reconnect");
        Assert.Equal("Degraded", health["crm-imap"]);
        await host.WaitForOutputAsync("Mail connection imap needs reconnecting: The token endpoint refused: invalid_grant", TimeSpan.FromSeconds(10));

        // Retried with backoff, not in a tight loop: about one attempt a second (MaxReconnectDelay) over five seconds.
        var refusedBefore = _oauth.TokenRequests.Count;
        var watch = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var attempts = _oauth.TokenRequests.Count - refusedBefore;
        Assert.InRange(attempts, 1, (int)watch.Elapsed.TotalSeconds + 2);
        Assert.DoesNotContain(await AllTicketsAsync(agent), t => t.GetProperty("subject").GetString() == $"Token {key} three");

        // The grant is restored: the poller signs in by itself and takes the mail that waited.
        _oauth.Refusing = false;
        await WaitForTicketAsync(agent, $"Token {key} three");
        await Poll.UntilAsync(() => HealthAsync(host), h => h["crm-mail-oauth-imap"] == "Healthy" && h["crm-imap"] == "Healthy", TimeSpan.FromSeconds(20), "the mailbox to be healthy again");

        // No token and no secret ever reaches the log.
        Assert.All(_oauth.IssuedAccessTokens, token => Assert.DoesNotContain(token, host.Output, StringComparison.Ordinal));
        Assert.DoesNotContain(_oauth.ClientSecret, host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_poller_prefers_OAUTHBEARER_when_the_server_offers_it()
    {
        await using var dovecot = await DovecotServer.CreateAsync(_oauth.IntrospectionEndpoint, mechanisms: "xoauth2 oauthbearer");
        await using var host = await HostProcess.StartAsync(ImapSettings(dovecot), _data);
        using var agent = host.CreateClient(AgentKey);
        var key = Guid.NewGuid().ToString("N")[..8];

        await dovecot.DeliverAsync(Mail($"bearer.{key}", $"Bearer {key}"));
        await WaitForTicketAsync(agent, $"Bearer {key}");
        Assert.Contains("method=OAUTHBEARER", await File.ReadAllTextAsync(Path.Combine(dovecot.Directory, "dovecot.log")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replies_sign_in_to_SMTP_with_the_exact_XOAUTH2_string_and_a_refused_token_keeps_the_reply_queued_with_the_servers_words()
    {
        var accepting = true;
        await using var smtp = new ScriptedSmtpServer(_ => null) { AcceptToken = (user, token) => accepting && user == "support@crm.example" && _oauth.IsActive(token) };
        var settings = new Dictionary<string, string?>
        {
            [$"Crm:ApiKeys:{AgentKey}"] = "Agent",
            ["Crm:Email:ReplyFrom"] = "Support <support@crm.example>",
            ["Crm:Email:InboundSecret"] = "relay-secret-0123456789",
            ["Crm:Smtp:Host"] = "127.0.0.1",
            ["Crm:Smtp:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Crm:Smtp:Security"] = "None",
            ["Crm:Smtp:UserName"] = "support@crm.example",
            ["Crm:Smtp:Password"] = "never-used",
            ["Crm:Smtp:OAuth:TokenEndpoint"] = _oauth.TokenEndpoint.AbsoluteUri,
            ["Crm:Smtp:OAuth:ClientId"] = _oauth.ClientId,
            ["Crm:Smtp:OAuth:ClientSecret"] = _oauth.ClientSecret,
            ["Crm:Smtp:OAuth:Scope"] = "https://outlook.office365.com/.default",
            ["Crm:Outbox:PollInterval"] = "00:00:00.200",
            ["Crm:Outbox:RetryDelay"] = "00:00:00.200",
        };
        await using var host = await HostProcess.StartAsync(settings, _data);
        using var agent = host.CreateClient(AgentKey);
        var key = Guid.NewGuid().ToString("N")[..8];
        var ticketId = await EmailTicketAsync(host, key);

        var replyId = await ReplyAsync(agent, ticketId, "Here is your answer.");
        await TicketApi.WaitForDeliveryAsync(agent, ticketId, replyId, "sent");
        var token = _oauth.IssuedAccessTokens[^1];
        var expected = Convert.ToBase64String(Encoding.ASCII.GetBytes($"user=support@crm.example\u0001auth=Bearer {token}\u0001\u0001"));
        Assert.Contains($"AUTH XOAUTH2 {expected}", smtp.Commands);
        Assert.Single(smtp.Messages);

        // The server starts refusing the token: the reply is kept (retried), with the server's words, never a password.
        accepting = false;
        var refusedId = await ReplyAsync(agent, ticketId, "A second answer.");
        var refused = await Poll.UntilAsync(
            () => TicketApi.MessageAsync(agent, ticketId, refusedId),
            m => m.TryGetProperty("error", out var e) && e.GetString() is { Length: > 0 },
            TimeSpan.FromSeconds(20),
            "the refused reply's error");
        Assert.Equal("queued", refused.GetProperty("deliveryStatus").GetString());
        Assert.StartsWith("The server refused the OAuth token (XOAUTH2): 535: 5.7.8 Username and Password not accepted", refused.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(smtp.Commands, c => c.StartsWith("AUTH PLAIN", StringComparison.OrdinalIgnoreCase) || c.StartsWith("AUTH LOGIN", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("Degraded", (await HealthAsync(host))["crm-mail-oauth-smtp-replies"]);

        accepting = true;
        await TicketApi.WaitForDeliveryAsync(agent, ticketId, refusedId, "sent", TimeSpan.FromSeconds(30));
        Assert.Equal(2, smtp.Messages.Count);
        Assert.Equal("Healthy", (await HealthAsync(host))["crm-mail-oauth-smtp-replies"]);
    }

    [Fact]
    public async Task A_manager_connects_a_mailbox_with_PKCE_a_tampered_state_is_refused_and_the_encrypted_token_serves_a_second_instance()
    {
        await using var dovecot = await DovecotServer.CreateAsync(_oauth.IntrospectionEndpoint, mechanisms: "xoauth2");
        var settings = ImapSettings(dovecot);
        settings["Crm:Imap:OAuth:AuthorizationEndpoint"] = _oauth.AuthorizationEndpoint.AbsoluteUri;
        settings["Crm:Imap:OAuth:Scope"] = "https://outlook.office.com/IMAP.AccessAsUser.All offline_access";
        settings["Crm:Users:boss:Password"] = "correct horse battery";
        settings["Crm:Users:boss:Role"] = "Manager";
        settings["Crm:Users:ann:Password"] = "agent horse battery";
        settings["Crm:Users:ann:Role"] = "Agent";
        var host = await HostProcess.StartAsync(settings, _data);
        try
        {
            using var agent = host.CreateClient(AgentKey);
            var key = Guid.NewGuid().ToString("N")[..8];

            // Delegated access and nothing connected yet: the mailbox waits, and says why.
            await Poll.UntilAsync(() => HealthAsync(host), h => h["crm-mail-oauth-imap"] == "Degraded", TimeSpan.FromSeconds(20), "the unconnected mailbox to need connecting");
            using var session = AdminSession.For(host);
            Assert.Equal(HttpStatusCode.Redirect, (await session.SignInAsync("boss", "correct horse battery")).StatusCode);
            var page = await session.Client.GetStringAsync("/admin/mailboxes");
            Assert.Contains("data-name=\"imap\"", page, StringComparison.Ordinal);
            Assert.Contains("Not connected yet", page, StringComparison.Ordinal);

            // Only Managers connect mailboxes.
            using (var agentSession = AdminSession.For(host))
            {
                Assert.Equal(HttpStatusCode.Redirect, (await agentSession.SignInAsync("ann", "agent horse battery")).StatusCode);
                using var forbidden = await agentSession.Client.GetAsync("/admin/mailboxes?handler=Connect&name=imap");
                Assert.Equal(HttpStatusCode.Redirect, forbidden.StatusCode);
                Assert.Contains("denied", forbidden.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
            }

            // A callback whose state is not the one this browser's flow holds is refused, and nothing is stored.
            var (_, realState) = await ConsentAsync(session);
            using (var tampered = await session.Client.GetAsync($"/admin/mailboxes/callback?code=forged&state={Uri.EscapeDataString(realState + "x")}"))
            {
                Assert.Equal(HttpStatusCode.BadRequest, tampered.StatusCode);
                Assert.Contains("the state does not match", await tampered.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            Assert.DoesNotContain(_oauth.TokenRequests, form => form["grant_type"] == "authorization_code");

            // The real flow: consent, the code exchanged with the PKCE verifier, the refresh token stored encrypted.
            var (callback, _) = await ConsentAsync(session);
            using (var connected = await session.Client.GetAsync(callback))
            {
                Assert.Equal(HttpStatusCode.Redirect, connected.StatusCode);
                Assert.Equal("/admin/mailboxes", connected.Headers.Location?.OriginalString);
            }

            var exchange = Assert.Single(_oauth.TokenRequests, form => form["grant_type"] == "authorization_code");
            Assert.Equal(43, exchange["code_verifier"].Length);
            Assert.EndsWith("/admin/mailboxes/callback", exchange["redirect_uri"], StringComparison.Ordinal);
            await dovecot.DeliverAsync(Mail($"connected.{key}", $"Connected {key}"));
            await WaitForTicketAsync(agent, $"Connected {key}");
            Assert.Contains("connected", await session.Client.GetStringAsync("/admin/mailboxes"), StringComparison.Ordinal);

            // Replaying the used callback (its flow is gone) is refused too.
            using (var replayed = await session.Client.GetAsync(callback))
            {
                Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
            }

            var stored = await StoredRefreshTokenAsync();
            Assert.DoesNotContain("rt-", Encoding.UTF8.GetString(Convert.FromBase64String(stored)), StringComparison.Ordinal);
            Assert.DoesNotContain("rt-", host.Output, StringComparison.Ordinal);
        }
        finally
        {
            await host.DisposeAsync();
        }

        // A second instance (a new process on the same database) signs in with the stored token: no new consent.
        await using var second = await HostProcess.StartAsync(settings, _data);
        using var secondAgent = second.CreateClient(AgentKey);
        var later = Guid.NewGuid().ToString("N")[..8];
        await dovecot.DeliverAsync(Mail($"second-instance.{later}", $"Second instance {later}"));
        await WaitForTicketAsync(secondAgent, $"Second instance {later}");
        Assert.Equal("refresh_token", _oauth.TokenRequests[^1]["grant_type"]);
        Assert.Single(_oauth.TokenRequests, form => form["grant_type"] == "authorization_code");
    }

    /// <summary>Starts the connect flow in the admin and consents at the provider; returns the callback address and the state.</summary>
    private async Task<(string Callback, string State)> ConsentAsync(AdminSession session)
    {
        using var start = await session.Client.GetAsync("/admin/mailboxes?handler=Connect&name=imap");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var authorize = start.Headers.Location!;
        Assert.StartsWith(_oauth.AuthorizationEndpoint.AbsoluteUri, authorize.AbsoluteUri, StringComparison.Ordinal);
        Assert.Contains("code_challenge_method=S256", authorize.Query, StringComparison.Ordinal);
        using var provider = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var consent = await provider.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Redirect, consent.StatusCode);
        var callback = consent.Headers.Location!;
        var state = System.Web.HttpUtility.ParseQueryString(callback.Query)["state"]!;
        return (callback.PathAndQuery, state);
    }

    private async Task<string> StoredRefreshTokenAsync()
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_data, "crm.db")};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM crm_settings WHERE key = 'mail.oauth.imap.refresh_token'";
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private Dictionary<string, string?> ImapSettings(DovecotServer dovecot) => new()
    {
        [$"Crm:ApiKeys:{AgentKey}"] = "Agent",
        ["Crm:Imap:Host"] = "127.0.0.1",
        ["Crm:Imap:Port"] = dovecot.Port.ToString(CultureInfo.InvariantCulture),
        ["Crm:Imap:Security"] = "None",
        ["Crm:Imap:UserName"] = DovecotServer.UserName,
        ["Crm:Imap:PollInterval"] = "00:00:01",
        ["Crm:Imap:MaxReconnectDelay"] = "00:00:01",
        ["Crm:Imap:OAuth:TokenEndpoint"] = _oauth.TokenEndpoint.AbsoluteUri,
        ["Crm:Imap:OAuth:ClientId"] = _oauth.ClientId,
        ["Crm:Imap:OAuth:ClientSecret"] = _oauth.ClientSecret,
        ["Crm:Imap:OAuth:Scope"] = "https://outlook.office365.com/.default",
    };

    private static byte[] Mail(string id, string subject) => Encoding.ASCII.GetBytes(
        $"From: Ann <ann.{id}@example.com>\r\nTo: support@crm.example\r\nSubject: {subject}\r\nMessage-ID: <{id}@example.com>\r\nDate: {DateTimeOffset.UtcNow:R}\r\n\r\nHello.\r\n");

    private static async Task<long> EmailTicketAsync(HostProcess host, string key)
    {
        using var relay = host.CreateClient();
        using var content = new ByteArrayContent(Mail($"oauth.{key}", $"Reply over OAuth {key}"));
        content.Headers.ContentType = new("message/rfc822");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=email") { Content = content };
        request.Headers.Add("X-Crm-Secret", "relay-secret-0123456789");
        using var stored = await relay.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        return (await stored.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private static async Task<long> ReplyAsync(HttpClient agent, long ticketId, string text)
    {
        using var reply = await agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text });
        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
        return (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private static async Task<List<JsonElement>> AllTicketsAsync(HttpClient agent) => await TicketApi.AllTicketsAsync(agent, "email");

    private static Task<JsonElement> WaitForTicketAsync(HttpClient agent, string subject) =>
        Poll.UntilAsync(
            async () => (await AllTicketsAsync(agent)).FirstOrDefault(t => t.GetProperty("subject").GetString() == subject),
            t => t.ValueKind == JsonValueKind.Object,
            TimeSpan.FromSeconds(30),
            $"the ticket '{subject}'");

    private static async Task<Dictionary<string, string>> HealthAsync(HostProcess host)
    {
        using var client = host.CreateClient();
        var answer = await client.GetFromJsonAsync<JsonElement>("/health");
        return answer.GetProperty("checks").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }
}
