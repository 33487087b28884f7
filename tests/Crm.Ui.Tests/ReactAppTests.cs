using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Crm.Testing;
using Microsoft.Playwright;

namespace Crm.Ui.Tests;

/// <summary>
/// The .NET host (mail to smtp-sink), the React Router sample as a process on top of it, and Chromium: the
/// specification's own checks, through the React front end.
/// </summary>
public sealed class ReactAppFixture : IAsyncLifetime
{
    public const string AgentKey = "react-agent-key-0123456789";
    public const string ManagerKey = "react-manager-key-0123456789";
    public const string MarketingKey = "react-marketing-key-0123456789";
    public const string IdentitySecret = "react-identity-secret-0123456789";
    private readonly OwnedResources _owned = new();
    private IPlaywright? _playwright;

    public SmtpSink Sink { get; private set; } = null!;

    public HostProcess Host { get; private set; } = null!;

    public RemixAppProcess App { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        try
        {
            Sink = await _owned.AddAsync(SmtpSink.StartAsync());
            Host = await _owned.AddAsync(HostProcess.StartAsync(new Dictionary<string, string?>
            {
                [$"Crm:ApiKeys:{AgentKey}"] = "Agent",
                [$"Crm:ApiKeys:{ManagerKey}"] = "Manager",
                [$"Crm:ApiKeys:{MarketingKey}"] = "Marketing",
                ["Crm:Chat:IdentitySecret"] = IdentitySecret,
                ["Crm:Smtp:Host"] = "127.0.0.1",
                ["Crm:Smtp:Port"] = Sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Crm:Smtp:Security"] = "None",
                ["Crm:Campaigns:FromAddress"] = "news@shop.example",
                ["Crm:Campaigns:PollInterval"] = "00:00:00.200",
                ["Crm:Campaigns:MachineOpenWindow"] = "00:00:00",
                ["Crm:RateLimiting:ChatPermitLimit"] = "10000",
            }));
            App = await _owned.AddAsync(RemixAppProcess.StartAsync(new Dictionary<string, string>
            {
                ["CRM_API_URL"] = Host.BaseAddress.ToString(),
                ["CRM_USERS"] = "ada:ada-pass:Agent,max:max-pass:Manager,mia:mia-pass:Marketing",
                ["CRM_API_KEY_AGENT"] = AgentKey,
                ["CRM_API_KEY_MANAGER"] = ManagerKey,
                ["CRM_API_KEY_MARKETING"] = MarketingKey,
                ["CRM_CHAT_IDENTITY_SECRET"] = IdentitySecret,
                ["SESSION_SECRET"] = "react-session-secret-0123456789abcdef",
                // The tests talk plain HTTP on loopback; in production the cookie is Secure.
                ["CRM_INSECURE_COOKIES"] = "1",
            }));
            _playwright = await Playwright.CreateAsync();
            Browser = await BrowserFixture.LaunchChromiumAsync(_playwright);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await _owned.DisposeAsync();
    }

    /// <summary>A browser context on the React app that records every response body it gets (to look for API keys).</summary>
    public async Task<(IPage Page, List<string> Seen)> NewPageAsync(int width = 1280, int height = 860)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = App.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = width, Height = height } });
        context.SetDefaultTimeout(20_000);
        var seen = new List<string>();
        context.Response += async (_, response) =>
        {
            try
            {
                var headers = string.Join("\n", (await response.AllHeadersAsync()).Select(h => $"{h.Key}: {h.Value}"));
                var body = response.Request.ResourceType is "document" or "fetch" or "xhr" or "script" ? await response.TextAsync() : "";
                lock (seen)
                {
                    seen.Add($"{response.Url}\n{headers}\n{body}");
                }
            }
            catch (PlaywrightException)
            {
                // A redirect or an aborted request has no body.
            }
        };
        return (await context.NewPageAsync(), seen);
    }

    public static async Task SignInAsync(IPage page, string user, string password)
    {
        await page.GotoAsync("/login");
        await page.GetByTestId("login-user").FillAsync(user);
        await page.GetByTestId("login-password").FillAsync(password);
        await page.GetByTestId("login-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("logout")).ToBeVisibleAsync();
    }
}

[CollectionDefinition(nameof(ReactAppCollection))]
public sealed class ReactAppCollection : ICollectionFixture<ReactAppFixture>;

[Collection(nameof(ReactAppCollection))]
public sealed partial class ReactAppTests(ReactAppFixture fixture)
{
    private static readonly string[] Keys = [ReactAppFixture.AgentKey, ReactAppFixture.ManagerKey, ReactAppFixture.MarketingKey, ReactAppFixture.IdentitySecret, "react-session-secret"];

    [Fact]
    public async Task A_visitor_chats_through_the_react_widget_and_an_agent_answers_in_the_react_inbox_live()
    {
        var (visitor, visitorSaw) = await fixture.NewPageAsync();
        var name = $"Vera {Guid.NewGuid():N}"[..13];
        await visitor.GotoAsync("/demo");
        await visitor.GetByTestId("crm-chat-open").ClickAsync();
        await visitor.GetByTestId("crm-chat-name").FillAsync(name);
        await visitor.GetByTestId("crm-chat-email").FillAsync($"vera.{Guid.NewGuid():N}@example.com");
        await visitor.GetByTestId("crm-chat-message").FillAsync("Do you ship lamps to Lisbon?");
        await visitor.GetByTestId("crm-chat-send").ClickAsync();
        await Assertions.Expect(visitor.GetByTestId("crm-chat-transcript")).ToContainTextAsync("Do you ship lamps to Lisbon?");

        // A ticket with channel "chat", as the .NET API tells it.
        using var api = fixture.Host.CreateClient(ReactAppFixture.AgentKey);
        var tickets = await api.GetFromJsonAsync<JsonElement>("/tickets?channel=chat&pageSize=200");
        var ticket = tickets.GetProperty("items").EnumerateArray().Single(t => t.GetProperty("subject").GetString()!.Contains(name, StringComparison.Ordinal));
        Assert.Equal("chat", ticket.GetProperty("channel").GetString());

        var (agent, agentSaw) = await fixture.NewPageAsync();
        await ReactAppFixture.SignInAsync(agent, "ada", "ada-pass");
        await agent.GotoAsync("/inbox?channel=chat");
        await agent.GetByTestId("ticket-row").Filter(new LocatorFilterOptions { HasText = name }).GetByRole(AriaRole.Link).ClickAsync();
        await agent.GetByTestId("reply-text").FillAsync("Yes, within four days.");
        await agent.GetByTestId("reply-send").ClickAsync();

        // No reload on the visitor's side: the stream brings the reply; the agent's page shows it delivered, live.
        await Assertions.Expect(visitor.GetByTestId("crm-chat-transcript")).ToContainTextAsync("Yes, within four days.");
        await Assertions.Expect(agent.GetByTestId("delivery-status")).ToHaveTextAsync("delivered", new() { Timeout = 20_000 });
        Directory.CreateDirectory(BrowserFixture.ScreenshotDirectory);
        await agent.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "react-inbox-ticket.png"), FullPage = true });
        AssertNoSecret(visitorSaw);
        AssertNoSecret(agentSaw);
    }

    [Fact]
    public async Task A_signed_in_user_chats_on_the_demo_page_with_an_identity_signed_in_the_loader()
    {
        var (page, seen) = await fixture.NewPageAsync();
        await ReactAppFixture.SignInAsync(page, "max", "max-pass");
        await page.GotoAsync("/demo");
        await page.GetByTestId("crm-chat-open").ClickAsync();
        var text = $"Signed in {Guid.NewGuid():N}";
        await page.GetByTestId("crm-chat-message").FillAsync(text);
        await page.GetByTestId("crm-chat-send").ClickAsync();
        await Assertions.Expect(page.GetByTestId("crm-chat-transcript")).ToContainTextAsync(text);

        using var api = fixture.Host.CreateClient(ReactAppFixture.AgentKey);
        var tickets = await api.GetFromJsonAsync<JsonElement>("/tickets?channel=chat&pageSize=200");
        var found = false;
        foreach (var item in tickets.GetProperty("items").EnumerateArray())
        {
            var details = await api.GetFromJsonAsync<JsonElement>($"/tickets/{item.GetProperty("id").GetInt64()}");
            var message = details.GetProperty("messages").EnumerateArray().FirstOrDefault(m => m.GetProperty("text").GetString() == text);
            if (message.ValueKind == JsonValueKind.Object)
            {
                Assert.True(message.GetProperty("identityVerified").GetBoolean());
                Assert.Equal("max@staff.example", details.GetProperty("contact").GetProperty("email").GetString());
                found = true;
            }
        }

        Assert.True(found, "the signed-in user's chat message was not stored");
        // The hash was computed on the server; the secret never reached the browser.
        AssertNoSecret(seen);
    }

    [Fact]
    public async Task Marketing_sends_a_campaign_from_the_react_page_opens_and_an_unsubscribe_show_in_the_table()
    {
        var tag = "r" + Guid.NewGuid().ToString("N")[..10];
        using (var manager = fixture.Host.CreateClient(ReactAppFixture.ManagerKey))
        {
            using var import = await manager.PostAsJsonAsync("/contacts", new[] { new { email = $"ann.{tag}@example.com", name = "Ann", tags = new[] { tag } }, new { email = $"bob.{tag}@example.com", name = "Bob", tags = new[] { tag } } });
            import.EnsureSuccessStatusCode();
        }

        var (page, seen) = await fixture.NewPageAsync();
        await ReactAppFixture.SignInAsync(page, "mia", "mia-pass");
        await page.GotoAsync("/bulk-email");
        var subject = $"Spring {tag}";
        await page.GetByTestId("campaign-subject").FillAsync(subject);
        await page.GetByTestId("campaign-body").FillAsync("<p>Hello {{ contact.name }}, spring is here.</p>");
        await page.GetByTestId("campaign-segment").GetByLabel(tag).CheckAsync();
        await Assertions.Expect(page.GetByTestId("campaign-recipient-count")).ToHaveTextAsync("2");
        await Assertions.Expect(page.GetByTestId("campaign-preview-subject")).ToContainTextAsync("Spring");
        await page.GetByTestId("campaign-send").ClickAsync();
        await Assertions.Expect(page.GetByTestId("campaign-status")).ToHaveTextAsync("completed", new() { Timeout = 30_000 });

        var mails = await Poll.UntilAsync(
            () => Task.FromResult(SinkMessage.LoadAll(fixture.Sink).Where(m => m.Message.Subject == subject).ToList()),
            list => list.Count == 2, TimeSpan.FromSeconds(20), "both campaign messages in smtp-sink");
        Assert.Equal([$"ann.{tag}@example.com", $"bob.{tag}@example.com"], mails.SelectMany(m => m.EnvelopeRecipients).Order());

        // A mail client loads Ann's pixel; Bob unsubscribes with his link.
        var ann = mails.Single(m => m.EnvelopeRecipients[0].StartsWith("ann", StringComparison.Ordinal)).Message;
        var bob = mails.Single(m => m.EnvelopeRecipients[0].StartsWith("bob", StringComparison.Ordinal)).Message;
        using (var mailClient = fixture.Host.CreateClient())
        {
            using var pixel = await mailClient.GetAsync(LinkIn(ann.HtmlBody!, "open"));
            Assert.Equal(HttpStatusCode.OK, pixel.StatusCode);
            using var unsubscribe = await mailClient.PostAsync(LinkIn(bob.HtmlBody!, "unsubscribe"), null);
            Assert.True(unsubscribe.IsSuccessStatusCode);
        }

        await page.GotoAsync("/bulk-email");
        var row = page.GetByTestId("campaign-row").Filter(new LocatorFilterOptions { HasText = subject });
        await Assertions.Expect(row.GetByTestId("campaign-opens")).ToHaveTextAsync("1", new() { Timeout = 20_000 });
        await Assertions.Expect(row.GetByTestId("campaign-unsubscribes")).ToHaveTextAsync("1", new() { Timeout = 20_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "react-bulk-email.png"), FullPage = true });
        AssertNoSecret(seen);
    }

    [Fact]
    public async Task An_agent_has_no_bulk_email_menu_and_gets_403_there()
    {
        var (page, seen) = await fixture.NewPageAsync();
        await ReactAppFixture.SignInAsync(page, "ada", "ada-pass");
        await page.GotoAsync("/inbox");

        await Assertions.Expect(page.GetByTestId("nav-bulk-email")).ToHaveCountAsync(0);
        var response = await page.GotoAsync("/bulk-email");
        Assert.Equal(403, response!.Status);
        await Assertions.Expect(page.GetByTestId("error")).ToContainTextAsync("Not for your role");
        lock (seen)
        {
            // The page's responses are still being recorded from Playwright's thread.
            Assert.DoesNotContain(seen, s => s.Contains("data-testid=\"campaign-list\"", StringComparison.Ordinal));
        }

        AssertNoSecret(seen);
    }

    [Fact]
    public async Task Signed_out_pages_send_to_sign_in_and_a_cross_site_post_is_refused()
    {
        var (page, _) = await fixture.NewPageAsync();
        await page.GotoAsync("/bulk-email");
        Assert.EndsWith("/login?next=%2Fbulk-email", page.Url, StringComparison.Ordinal);

        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { BaseAddress = fixture.App.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/login") { Content = new FormUrlEncodedContent([new("user", "ada"), new("password", "ada-pass")]) };
        request.Headers.Add("Origin", "http://attacker.example");
        using var forged = await client.SendAsync(request);
        Assert.True(forged.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest, $"a cross-site sign-in answered {forged.StatusCode}");
        Assert.False(forged.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Pages_carry_a_nonce_content_security_policy_that_the_app_and_the_widget_keep()
    {
        var (page, _) = await fixture.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (violations)
                {
                    violations.Add(message.Text);
                }
            }
        };

        var first = await page.GotoAsync("/demo");
        var policy = await first!.HeaderValueAsync("content-security-policy");
        Assert.NotNull(policy);
        Assert.Matches("script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}'", policy);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);

        // A fresh nonce per response: a nonce read from one page is no key to the next.
        using var client = new HttpClient { BaseAddress = fixture.App.BaseAddress };
        using var second = await client.GetAsync("/demo");
        Assert.True(second.Headers.TryGetValues("Content-Security-Policy", out var secondPolicy), "a second page came without a policy");
        Assert.NotEqual(policy, Assert.Single(secondPolicy));

        // Hydrated under the policy: the widget opens and sends, and the browser blocked nothing.
        await page.GetByTestId("crm-chat-open").ClickAsync();
        await page.GetByTestId("crm-chat-name").FillAsync("Csp Visitor");
        await page.GetByTestId("crm-chat-email").FillAsync($"csp.{Guid.NewGuid():N}@example.com");
        var text = $"Under a policy {Guid.NewGuid():N}";
        await page.GetByTestId("crm-chat-message").FillAsync(text);
        await page.GetByTestId("crm-chat-send").ClickAsync();
        await Assertions.Expect(page.GetByTestId("crm-chat-transcript")).ToContainTextAsync(text);
        lock (violations)
        {
            Assert.Empty(violations);
        }
    }

    [Theory]
    [InlineData("/login", null)]
    [InlineData("/inbox", "ada")]
    [InlineData("/bulk-email", "mia")]
    [InlineData("/demo", null)]
    public async Task Pages_have_no_serious_accessibility_violations_and_fit_a_phone(string path, string? user)
    {
        var (page, _) = await fixture.NewPageAsync(width: 390, height: 844);
        if (user is not null)
        {
            await ReactAppFixture.SignInAsync(page, user, user + "-pass");
        }

        await page.GotoAsync(path);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await AccessibilityTests.AssertAccessibleAsync(page, path);
        // Nothing wider than the phone: wide tables scroll inside their own box.
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 1, $"{path} is {overflow}px wider than a phone's screen");
    }

    private static void AssertNoSecret(List<string> seen)
    {
        lock (seen)
        {
            foreach (var key in Keys)
            {
                Assert.DoesNotContain(seen, s => s.Contains(key, StringComparison.Ordinal));
            }
        }
    }

    private static string LinkIn(string html, string kind)
        => WebUtility.HtmlDecode(Regex.Match(html, $"\"(http://[^\"]+/bulk-email/{kind}/[^\"]+)\"").Groups[1].Value);
}
