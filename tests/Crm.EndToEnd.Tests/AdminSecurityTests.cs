using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Testing;

namespace Crm.EndToEnd.Tests;

/// <summary>The sample host in Production mode as an attacker meets it: users, sign-in, sessions, CSRF and headers.</summary>
public sealed class AdminSecurityTests
{
    [Fact]
    public async Task The_demo_users_do_not_exist_in_Production()
    {
        await using var host = await HostProcess.StartAsync();
        using var session = AdminSession.For(host);

        foreach (var name in new[] { "agent", "manager", "marketing" })
        {
            using var response = await session.SignInAsync(name, name);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.DoesNotContain("Demo users", await session.Client.GetStringAsync("/login"), StringComparison.Ordinal);
        Assert.Contains("nobody can sign in", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_first_run_in_development_signs_in_with_the_demo_users_the_readme_lists()
    {
        await using var host = await HostProcess.StartAsync(environment: "Development");
        using var session = AdminSession.For(host);

        using var response = await session.SignInAsync("agent", "agent");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("Demo users", await session.Client.GetStringAsync("/login"), StringComparison.Ordinal);
        Assert.DoesNotContain("Crm:DemoUsers=true", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_users_can_be_asked_for_explicitly_and_the_host_warns()
    {
        await using var host = await HostProcess.StartAsync(new Dictionary<string, string?> { ["Crm:DemoUsers"] = "true" });
        using var session = AdminSession.For(host);

        using var response = await session.SignInAsync("manager", "manager");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("Crm:DemoUsers=true", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_role_matches_in_any_case_and_the_demo_users_stay_away()
    {
        await using var host = await HostProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Crm:Users:boss:Password"] = "correct horse",
            ["Crm:Users:boss:Role"] = "manager",
            ["Crm:DemoUsers"] = "true",
        });
        using var session = AdminSession.For(host);

        using (var demo = await session.SignInAsync("agent", "agent"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, demo.StatusCode);
        }

        using var boss = await session.SignInAsync("boss", "correct horse");
        Assert.Equal(HttpStatusCode.Redirect, boss.StatusCode);
        using var bulkEmail = await session.Client.GetAsync("/admin/bulk-email");
        Assert.Equal(HttpStatusCode.OK, bulkEmail.StatusCode);
    }

    [Theory]
    [InlineData("Crm:Users:eve:Role", "Boss", "Crm:Users:eve:Role")]
    [InlineData("Crm:Users:eve:Role", "", "Crm:Users:eve:Role")]
    [InlineData("Crm:ApiKeys:some-key-long-enough", "Admin", "'Admin'")]
    public async Task An_unknown_role_stops_the_host_at_start_naming_the_entry(string key, string role, string named)
    {
        var settings = new Dictionary<string, string?> { [key] = role, ["Crm:Users:eve:Password"] = "pw" };
        settings.TryAdd("Crm:Users:eve:Role", "Agent");

        var failure = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => HostProcess.StartAsync(settings));

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
        Assert.Contains("must be one of Agent, Manager, Marketing", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_password_hash_made_by_the_host_signs_in_and_the_password_itself_is_not_the_hash()
    {
        var hash = await HashPasswordAsync("s3cret passphrase");
        Assert.StartsWith("pbkdf2-sha256$", hash, StringComparison.Ordinal);
        await using var host = await HostProcess.StartAsync(new Dictionary<string, string?> { ["Crm:Users:ops:PasswordHash"] = hash, ["Crm:Users:ops:Role"] = "Agent" });
        using var session = AdminSession.For(host);

        using (var wrong = await session.SignInAsync("ops", hash))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var right = await session.SignInAsync("ops", "s3cret passphrase");
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
    }

    [Fact]
    public async Task Failed_sign_ins_are_throttled_per_user_with_retry_after_even_for_the_right_password()
    {
        await using var host = await HostProcess.StartAsync(new Dictionary<string, string?> { ["Crm:Users:ann:Password"] = "right", ["Crm:Users:ann:Role"] = "Agent", ["Crm:Users:bob:Password"] = "right", ["Crm:Users:bob:Role"] = "Agent" });
        using var session = AdminSession.For(host);
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await session.SignInAsync("ann", "guess" + i);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var throttled = await session.SignInAsync("ann", "right");
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.InRange(throttled.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 300);
        using var other = await session.SignInAsync("bob", "right");
        Assert.Equal(HttpStatusCode.Redirect, other.StatusCode);
    }

    [Fact]
    public async Task Failed_sign_ins_are_throttled_per_address_across_user_names()
    {
        await using var host = await HostProcess.StartAsync(new Dictionary<string, string?> { ["Crm:Users:ann:Password"] = "right", ["Crm:Users:ann:Role"] = "Agent" });
        using var session = AdminSession.For(host);
        for (var i = 0; i < 20; i++)
        {
            using var wrong = await session.SignInAsync("user" + i, "guess");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var throttled = await session.SignInAsync("ann", "right");
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
    }

    [Fact]
    public async Task Signing_out_invalidates_the_session_on_the_server()
    {
        await using var host = await HostProcess.StartAsync(new Dictionary<string, string?> { ["Crm:Users:ann:Password"] = "right", ["Crm:Users:ann:Role"] = "Agent" });
        using var session = AdminSession.For(host);
        using (var signIn = await session.SignInAsync("ann", "right"))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }

        var stolen = session.Cookies.GetCookieHeader(host.BaseAddress);
        var logoutToken = await session.FormTokenAsync("/admin/tickets");
        using (var logout = await session.Client.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = logoutToken })))
        {
            Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        }

        using var replay = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = host.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/tickets");
        request.Headers.Add("Cookie", stolen);
        using var response = await replay.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Cookies_are_secure_when_the_request_came_over_https_through_a_trusted_proxy()
    {
        await using var host = await HostProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Crm:Users:ann:Password"] = "right",
            ["Crm:Users:ann:Role"] = "Agent",
            ["Crm:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        });
        using var session = AdminSession.For(host);

        using var response = await session.SignInAsync("ann", "right", [new("X-Forwarded-Proto", "https")]);

        var auth = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("crm.auth=", StringComparison.Ordinal));
        Assert.Contains("secure", auth, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", auth, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", auth, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_cookie_authenticated_api_call_without_the_anti_forgery_token_is_refused_and_changes_nothing()
    {
        await using var host = await HostProcess.StartAsync(CampaignApi.HostSettings(HostProcess.FreeTcpPort(), ("Crm:Users:mia:Password", "right"), ("Crm:Users:mia:Role", "Marketing")));
        using var manager = host.CreateClient(CampaignApi.ManagerKey);
        var api = new CampaignApi(manager);
        await api.ImportAsync([new { email = "csrf@example.com" }]);
        var id = await api.CreateAsync(new { subject = "Later", body = "<p>x</p>", scheduledAt = DateTimeOffset.UtcNow.AddDays(1) });
        using var session = AdminSession.For(host);
        using (await session.SignInAsync("mia", "right"))
        {
        }

        // What a hostile page's plain form would send with the victim's cookie.
        foreach (var action in new[] { "cancel", "pause" })
        {
            using var forged = await session.Client.PostAsync($"/bulk-email/{id}/{action}", new FormUrlEncodedContent([]));
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
            Assert.Equal("application/problem+json", forged.Content.Headers.ContentType?.MediaType);
        }

        using (var forgedJson = await session.Client.PostAsJsonAsync("/contacts", new[] { new { email = "planted@example.com" } }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forgedJson.StatusCode);
        }

        Assert.Equal("scheduled", (await api.GetAsync(id)).GetProperty("status").GetString());
        var contacts = await manager.GetFromJsonAsync<JsonElement>("/contacts?pageSize=200");
        Assert.DoesNotContain("planted@example.com", contacts.ToString(), StringComparison.Ordinal);

        var token = await session.MetaTokenAsync("/admin/bulk-email");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/bulk-email/{id}/cancel");
        request.Headers.Add("RequestVerificationToken", token);
        using var genuine = await session.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        Assert.Equal("cancelled", (await api.GetAsync(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Admin_forms_posted_without_the_anti_forgery_token_are_refused_and_change_nothing()
    {
        await using var host = await HostProcess.StartAsync(CampaignApi.HostSettings(HostProcess.FreeTcpPort(), ("Crm:Users:mia:Password", "right"), ("Crm:Users:mia:Role", "Marketing")));
        using var manager = host.CreateClient(CampaignApi.ManagerKey);
        var api = new CampaignApi(manager);
        await api.ImportAsync([new { email = "form@example.com" }]);
        var id = await api.CreateAsync(new { subject = "Later", body = "<p>x</p>", scheduledAt = DateTimeOffset.UtcNow.AddDays(1) });
        using var session = AdminSession.For(host);

        using (var login = await session.Client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["user"] = "mia", ["password"] = "right" })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);
        }

        using (await session.SignInAsync("mia", "right"))
        {
        }

        using var cancel = await session.Client.PostAsync($"/admin/bulk-email/{id}?handler=Cancel", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, cancel.StatusCode);
        Assert.Equal("scheduled", (await api.GetAsync(id)).GetProperty("status").GetString());
        using var logout = await session.Client.PostAsync("/logout", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, logout.StatusCode);
        using var stillSignedIn = await session.Client.GetAsync("/admin/bulk-email");
        Assert.Equal(HttpStatusCode.OK, stillSignedIn.StatusCode);
    }

    [Theory]
    [InlineData("/login")]
    [InlineData("/admin/tickets")]
    [InlineData("/tickets")]
    [InlineData("/demo")]
    public async Task Answers_carry_the_security_headers(string path)
    {
        await using var host = await HostProcess.StartAsync(new Dictionary<string, string?> { ["Crm:Users:ann:Password"] = "right", ["Crm:Users:ann:Role"] = "Agent" });
        using var session = AdminSession.For(host);
        using (await session.SignInAsync("ann", "right"))
        {
        }

        using var response = await session.Client.GetAsync(path);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
    }

    private static async Task<string> HashPasswordAsync(string password)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Crm.WebHost.dll"));
        start.ArgumentList.Add("hash-password");
        using var process = Process.Start(start)!;
        try
        {
            await process.StandardInput.WriteLineAsync(password);
            process.StandardInput.Close();
            var output = await process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, process.ExitCode);
            return output.Trim();
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
