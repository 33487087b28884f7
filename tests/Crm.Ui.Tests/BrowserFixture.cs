using System.Net.Http.Json;
using Crm.Testing;
using Microsoft.Playwright;

namespace Crm.Ui.Tests;

/// <summary>
/// The sample host as a first-time user runs it (SQLite, the pickup-folder outbox, the demo users) and Debian's
/// Chromium driven by Playwright. Playwright cannot download its own browser here, so it is pointed at /usr/bin/chromium.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ManagerKey = "ui-manager-key-0123456789";

    public const string InboundSecret = "ui-relay-secret-0123456789";

    private IPlaywright? _playwright;

    public HostProcess Host { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public static string ScreenshotDirectory { get; } = Path.Combine(RepositoryPaths.Root, "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        Host = await HostProcess.StartAsync(new Dictionary<string, string?>
        {
            [$"Crm:ApiKeys:{ManagerKey}"] = "Manager",
            ["Crm:Campaigns:PollInterval"] = "00:00:00.200",
            // The tests sign in as the demo users; outside Development they exist only when asked for.
            ["Crm:DemoUsers"] = "true",
            ["Crm:Email:InboundSecret"] = InboundSecret,
            // The outbox viewer loads a message's pixel seconds after the send, as a person would much later.
            ["Crm:Campaigns:MachineOpenWindow"] = "00:00:00",
            // The webhook page's test subscribes a receiver on loopback.
            ["Crm:Webhooks:AllowPrivateNetworks"] = "true",
            // The mailboxes page lists a Google mailbox that signs in with OAuth (its server is a closed port: the
            // page is under test, not the sign-in, which the end-to-end tests run against Dovecot).
            ["Crm:Imap:Host"] = "127.0.0.1",
            ["Crm:Imap:Port"] = "9",
            ["Crm:Imap:Security"] = "None",
            ["Crm:Imap:UserName"] = "support@crm.example",
            ["Crm:Imap:OAuth:Provider"] = "Google",
            ["Crm:Imap:OAuth:ClientId"] = "crm-ui-tests.apps.googleusercontent.com",
            ["Crm:Imap:OAuth:ClientSecret"] = "ui-tests-secret",
        });
        try
        {
            _playwright = await Playwright.CreateAsync();
            Browser = await LaunchChromiumAsync(_playwright);
        }
        catch
        {
            // The host started; a browser that did not must not leave it running.
            await DisposeAsync();
            throw;
        }

        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
    }

    /// <summary>
    /// Debian's Chromium, headless. Root in a container, and a closed network: no sandbox, no background calls home.
    /// Headless Chromium names itself in its user agent, and the open tracker rightly counts such loads as a machine's:
    /// the tests browse as the desktop Chrome they stand for (a context's UserAgent option does not reach requests from
    /// sandboxed frames, such as the outbox viewer's pixel; the switch does).
    /// </summary>
    public static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright)
    {
        ArgumentNullException.ThrowIfNull(playwright);
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--user-agent=Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
    }

    public async Task<IPage> NewPageAsync(int width = 1280, int height = 860)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Host.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    public static async Task SignInAsync(IPage page, string user)
    {
        await page.GotoAsync("/login");
        await page.GetByTestId("login-user").FillAsync(user);
        await page.GetByTestId("login-password").FillAsync(user);
        var answer = await page.RunAndWaitForResponseAsync(
            () => page.GetByTestId("login-submit").ClickAsync(),
            r => r.Request.Method == "POST" && new Uri(r.Url).AbsolutePath == "/login");
        if (answer.Status != 302)
        {
            throw new InvalidOperationException($"Signing in as {user} answered {answer.Status}: {await answer.TextAsync()}");
        }

        // Poll the URL: Playwright's WaitForURL can miss a navigation that finished before it was called.
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (page.Url.Contains("/login", StringComparison.Ordinal))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new InvalidOperationException($"Signed in as {user} (302 to {answer.Headers.GetValueOrDefault("location")}) but the browser stayed at {page.Url}.");
            }

            await Task.Delay(50);
        }
    }

    public static Task ScreenshotAsync(IPage page, string name)
        => page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    public async Task ImportContactsAsync(IEnumerable<object> contacts)
    {
        using var client = Host.CreateClient(ManagerKey);
        using var response = await client.PostAsJsonAsync("/contacts", contacts);
        response.EnsureSuccessStatusCode();
    }
}

[CollectionDefinition(nameof(BrowserCollection))]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>;
