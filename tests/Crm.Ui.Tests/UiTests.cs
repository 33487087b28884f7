using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Builder;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Crm.Ui.Tests;

[Collection(nameof(BrowserCollection))]
public sealed class UiTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_visitor_chats_on_the_demo_page_and_an_agent_sees_one_ticket_with_both_messages()
    {
        var visitor = await fixture.NewPageAsync();
        var email = $"visitor.{Guid.NewGuid():N}@example.com";
        await visitor.GotoAsync("/demo");
        await visitor.GetByTestId("crm-chat-open").ClickAsync();
        await visitor.GetByTestId("crm-chat-name").FillAsync("Vera Visitor");
        await visitor.GetByTestId("crm-chat-email").FillAsync(email);
        await visitor.GetByTestId("crm-chat-message").FillAsync("Do you ship oak tables to Norway?");
        await visitor.GetByTestId("crm-chat-send").ClickAsync();
        await Assertions.Expect(visitor.GetByTestId("crm-chat-transcript")).ToContainTextAsync("Do you ship oak tables to Norway?");

        await visitor.GetByTestId("crm-chat-message").FillAsync("And what does delivery cost?");
        await visitor.GetByTestId("crm-chat-send").ClickAsync();
        await Assertions.Expect(visitor.GetByTestId("crm-chat-transcript")).ToContainTextAsync("And what does delivery cost?");
        await Assertions.Expect(visitor.GetByTestId("crm-chat-error")).ToBeEmptyAsync();
        await BrowserFixture.ScreenshotAsync(visitor, "chat-widget");

        var agent = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(agent, "agent");
        await agent.GotoAsync("/admin/tickets?channel=chat");
        var row = agent.GetByTestId("ticket-row").Filter(new LocatorFilterOptions { HasText = "Vera Visitor" });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await BrowserFixture.ScreenshotAsync(agent, "inbox");
        await row.GetByRole(AriaRole.Link).ClickAsync();
        var texts = agent.GetByTestId("message-text");
        await Assertions.Expect(texts).ToHaveTextAsync(["Do you ship oak tables to Norway?", "And what does delivery cost?"]);
    }

    [Fact]
    public async Task Markup_in_a_chat_message_shows_as_text_in_the_widget_and_the_inbox()
    {
        const string hostile = "<script>window.pwned = true</script><img src=x onerror=\"window.pwned = true\">";
        var visitor = await fixture.NewPageAsync();
        await visitor.GotoAsync("/demo");
        await visitor.GetByTestId("crm-chat-open").ClickAsync();
        await visitor.GetByTestId("crm-chat-name").FillAsync("Mallory Markup");
        await visitor.GetByTestId("crm-chat-email").FillAsync($"mallory.{Guid.NewGuid():N}@example.com");
        await visitor.GetByTestId("crm-chat-message").FillAsync(hostile);
        await visitor.GetByTestId("crm-chat-send").ClickAsync();
        await Assertions.Expect(visitor.GetByTestId("crm-chat-transcript")).ToContainTextAsync(hostile);

        var agent = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(agent, "agent");
        await agent.GotoAsync("/admin/tickets?channel=chat");
        await agent.GetByTestId("ticket-row").Filter(new LocatorFilterOptions { HasText = "Mallory Markup" }).GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(agent.GetByTestId("message-text")).ToHaveTextAsync(hostile);

        Assert.False(await visitor.EvaluateAsync<bool>("() => window.pwned === true"));
        Assert.False(await agent.EvaluateAsync<bool>("() => window.pwned === true"));
    }

    [Fact]
    public async Task On_a_customers_page_without_any_content_security_policy_markup_from_either_side_stays_text()
    {
        // The widget is embedded on other sites, which may have no CSP at all: its own rendering must hold by itself.
        const string hostile = "<img src=x onerror=\"window.pwned = true\"><script>window.pwned = true</script>";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var site = builder.Build();
        var crm = fixture.Host.BaseAddress.ToString().TrimEnd('/');
        site.MapGet("/", () => Results.Content(
            $"<!doctype html><html lang=\"en\"><head><title>Shop</title></head><body><h1>A shop without a CSP</h1><script src=\"{crm}/widget/crm-chat.js\" data-endpoint=\"{crm}\"></script></body></html>",
            "text/html"));
        await site.StartAsync();
        var visitor = await fixture.NewPageAsync();

        var page = await visitor.GotoAsync(site.Urls.First());
        Assert.Null(await page!.HeaderValueAsync("content-security-policy"));
        await visitor.GetByTestId("crm-chat-open").ClickAsync();
        await visitor.GetByTestId("crm-chat-name").FillAsync("Nina No-CSP");
        await visitor.GetByTestId("crm-chat-email").FillAsync($"nocsp.{Guid.NewGuid():N}@example.com");
        await visitor.GetByTestId("crm-chat-message").FillAsync(hostile);
        await visitor.GetByTestId("crm-chat-send").ClickAsync();
        await Assertions.Expect(visitor.GetByTestId("crm-chat-transcript")).ToContainTextAsync(hostile);

        // The agent's side answers with markup too: it arrives live and stays text.
        using var manager = fixture.Host.CreateClient(BrowserFixture.ManagerKey);
        var tickets = await manager.GetFromJsonAsync<JsonElement>("/tickets?channel=chat&pageSize=200");
        var ticketId = tickets.GetProperty("items").EnumerateArray().First(t => t.GetProperty("subject").GetString()!.Contains("Nina No-CSP", StringComparison.Ordinal)).GetProperty("id").GetInt64();
        using (var reply = await manager.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "Agent says " + hostile }))
        {
            reply.EnsureSuccessStatusCode();
        }

        await Assertions.Expect(visitor.GetByTestId("crm-chat-transcript")).ToContainTextAsync("Agent says " + hostile);
        Assert.False(await visitor.EvaluateAsync<bool>("() => window.pwned === true"));
        Assert.Equal(0, await visitor.EvaluateAsync<int>("() => document.querySelector('[data-crm-chat]').shadowRoot.querySelectorAll('.transcript img, .transcript script').length"));
    }

    [Fact]
    public async Task Marketing_sends_a_segment_campaign_watches_it_finish_and_sees_an_open_from_the_outbox()
    {
        var tag = "ui" + Guid.NewGuid().ToString("N")[..8];
        await fixture.ImportContactsAsync(
        [
            new { email = $"a.{tag}@example.com", name = "Anna", tags = new[] { tag }, attributes = new Dictionary<string, string> { ["city"] = "Oslo" } },
            new { email = $"b.{tag}@example.com", name = "Bruno", tags = new[] { tag }, attributes = new Dictionary<string, string> { ["city"] = "Turin" } },
            new { email = $"c.{tag}@example.com", name = "Chloe", tags = new[] { "someone-else" } },
        ]);
        var subject = $"Autumn at Atelier Nord {tag}";

        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "marketing");
        await page.GotoAsync("/admin/bulk-email");
        await page.GetByTestId("campaign-subject").FillAsync(subject + " for {{ contact.name }}");
        await page.GetByTestId("campaign-body").FillAsync("<html><body><h1>Hello {{ contact.name }}</h1><p>New chairs in our {{ contact.city }} store.</p></body></html>");
        await page.GetByTestId("campaign-audience-segment").CheckAsync();
        await page.GetByTestId("campaign-segment").GetByLabel(new Regex(tag)).CheckAsync();
        await Assertions.Expect(page.GetByTestId("campaign-recipient-count")).ToHaveTextAsync("2");
        await Assertions.Expect(page.GetByTestId("campaign-preview-subject")).ToContainTextAsync("for Alex Example");
        await BrowserFixture.ScreenshotAsync(page, "bulk-email-editor");
        await page.GetByTestId("campaign-send").ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/admin/bulk-email/\d+$"));
        await Assertions.Expect(page.GetByTestId("campaign-progress-text")).ToHaveTextAsync("100%", new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("campaign-status")).ToHaveTextAsync("completed");
        var campaignUrl = page.Url;

        await page.GotoAsync("/admin/outbox");
        var messages = page.GetByTestId("outbox-row").Filter(new LocatorFilterOptions { HasText = subject });
        await Assertions.Expect(messages).ToHaveCountAsync(2);
        await messages.First.GetByTestId("outbox-open").ClickAsync();
        // The pixel is inside the message's sandboxed frame: wait until the frame has loaded its image.
        await Assertions.Expect(page.FrameLocator("[data-testid=outbox-message]").Locator("img[src*='/bulk-email/open/']")).ToHaveJSPropertyAsync("complete", true);
        await Assertions.Expect(page.GetByTestId("outbox-subject")).ToContainTextAsync(subject);

        await page.GotoAsync(campaignUrl);
        await Assertions.Expect(page.GetByTestId("stat-unique-opens")).ToHaveTextAsync("1");
        await Assertions.Expect(page.GetByTestId("stat-sent")).ToHaveTextAsync("2");
        await BrowserFixture.ScreenshotAsync(page, "campaign-detail");

        await page.GotoAsync("/admin/bulk-email");
        await Assertions.Expect(page.GetByTestId("campaign-list").GetByTestId("campaign-row").Filter(new LocatorFilterOptions { HasText = subject })).ToHaveCountAsync(1);
        await BrowserFixture.ScreenshotAsync(page, "bulk-email-list");

        // The editor's engagement condition: of the tagged two, one opened; the count follows the choice.
        var campaignId = campaignUrl[(campaignUrl.LastIndexOf('/') + 1)..];
        await page.GetByTestId("campaign-audience-segment").CheckAsync();
        await page.GetByTestId("campaign-segment").GetByLabel(new Regex(tag)).CheckAsync();
        await page.GetByTestId("campaign-engagement-campaign").SelectOptionAsync(campaignId);
        await page.GetByTestId("campaign-engagement-event").SelectOptionAsync("not_opened");
        await Assertions.Expect(page.GetByTestId("campaign-recipient-count")).ToHaveTextAsync("1");
        await page.GetByTestId("campaign-engagement-event").SelectOptionAsync("opened");
        await Assertions.Expect(page.GetByTestId("campaign-recipient-count")).ToHaveTextAsync("1");
        await page.GetByTestId("campaign-engagement-event").SelectOptionAsync("received");
        await Assertions.Expect(page.GetByTestId("campaign-recipient-count")).ToHaveTextAsync("2");

        // Saved under a name, the criteria come back as a saved segment, counted live.
        await page.GetByTestId("campaign-engagement-event").SelectOptionAsync("not_opened");
        await page.GetByTestId("campaign-segment-name").FillAsync($"Non-openers {tag}");
        await page.GetByTestId("campaign-segment-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("campaign-notice")).ToContainTextAsync($"Non-openers {tag}");
        await Assertions.Expect(page.GetByTestId("campaign-audience-saved")).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByTestId("campaign-saved-segment").Locator("option:checked")).ToContainTextAsync($"Non-openers {tag}");
        await Assertions.Expect(page.GetByTestId("campaign-recipient-count")).ToHaveTextAsync("1");

        // Resend to the non-opener from the completed campaign's page: the follow-up goes to that one recipient.
        await page.GotoAsync(campaignUrl);
        await page.GetByTestId("campaign-resend-subject").FillAsync($"In case you missed it {tag}");
        await page.GetByTestId("campaign-resend").ClickAsync();
        await Assertions.Expect(page).Not.ToHaveURLAsync(campaignUrl);
        await Assertions.Expect(page.GetByTestId("stat-recipients")).ToHaveTextAsync("1", new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("campaign-status")).ToHaveTextAsync("completed", new() { Timeout = 30_000 });
        await BrowserFixture.ScreenshotAsync(page, "campaign-resend");
    }

    [Fact]
    public async Task An_agent_cannot_reach_bulk_email_and_does_not_see_it_in_the_navigation()
    {
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "agent");

        await Assertions.Expect(page.GetByTestId("nav-tickets")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("nav-bulk-email")).ToHaveCountAsync(0);
        var response = await page.GotoAsync("/admin/bulk-email");
        Assert.Equal(403, response!.Status);
        await Assertions.Expect(page.GetByTestId("access-denied")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_manager_sees_each_OAuth_mailbox_with_its_state_and_a_connect_link_to_the_provider_while_an_agent_gets_no_mailboxes()
    {
        var agent = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(agent, "agent");
        await Assertions.Expect(agent.GetByTestId("nav-mailboxes")).ToHaveCountAsync(0);
        Assert.Equal(403, (await agent.GotoAsync("/admin/mailboxes"))!.Status);

        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "manager");
        await page.GetByTestId("nav-mailboxes").ClickAsync();
        var row = page.GetByTestId("mailbox-row").Filter(new LocatorFilterOptions { HasText = "support@crm.example" });
        await Assertions.Expect(row).ToContainTextAsync("imap");
        await Assertions.Expect(row.GetByTestId("mailbox-state")).ToHaveTextAsync(new Regex("not used yet|needs reconnect"));
        await Assertions.Expect(row.GetByTestId("mailbox-connect")).ToHaveTextAsync("Connect");
        await BrowserFixture.ScreenshotAsync(page, "mailboxes");

        // Connect leads to Google's consent screen with PKCE (S256), offline access and this host's callback.
        string? provider = null;
        await page.RouteAsync("https://accounts.google.com/**", async route =>
        {
            provider = route.Request.Url;
            await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = "text/html", Body = "<title>consent</title>" });
        });
        await row.GetByTestId("mailbox-connect").ClickAsync();
        await Assertions.Expect(page).ToHaveTitleAsync("consent");
        Assert.NotNull(provider);
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(provider).Query);
        Assert.Equal(("code", "S256", "offline", "https://mail.google.com/"), (query["response_type"], query["code_challenge_method"], query["access_type"], query["scope"]));
        Assert.Equal(fixture.Host.BaseAddress + "admin/mailboxes/callback", query["redirect_uri"]);
        Assert.Equal(43, query["code_challenge"]!.Length);
    }

    [Fact]
    public async Task A_manager_subscribes_an_endpoint_copies_its_secret_once_and_sees_it_listed_while_an_agent_gets_no_webhooks()
    {
        var agent = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(agent, "agent");
        await Assertions.Expect(agent.GetByTestId("nav-webhooks")).ToHaveCountAsync(0);
        Assert.Equal(403, (await agent.GotoAsync("/admin/webhooks"))!.Status);

        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "manager");
        await page.GetByTestId("nav-webhooks").ClickAsync();
        var url = $"https://127.0.0.1:9/hooks/{Guid.NewGuid():N}";
        await page.GetByTestId("webhook-url").FillAsync(url);
        await page.GetByTestId("webhook-event-all").UncheckAsync();
        await page.GetByLabel("ticket.created", new PageGetByLabelOptions { Exact = true }).CheckAsync();
        await page.GetByLabel("campaign.completed", new PageGetByLabelOptions { Exact = true }).CheckAsync();
        await page.GetByTestId("webhook-description").FillAsync("Our ERP");
        await page.GetByTestId("webhook-create").ClickAsync();

        var secret = (await page.GetByTestId("webhook-secret").InnerTextAsync()).Trim();
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        var row = page.GetByTestId("webhook-row").Filter(new LocatorFilterOptions { HasText = url });
        await Assertions.Expect(row).ToContainTextAsync("ticket.created, campaign.completed");
        await Assertions.Expect(row.GetByTestId("webhook-status")).ToHaveTextAsync("enabled");
        await BrowserFixture.ScreenshotAsync(page, "webhooks");

        // Shown once: the list never carries it again.
        await page.ReloadAsync();
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await row.GetByTestId("webhook-toggle").ClickAsync();
        await Assertions.Expect(page.GetByTestId("webhook-row").Filter(new LocatorFilterOptions { HasText = url }).GetByTestId("webhook-status")).ToHaveTextAsync("disabled");
        await page.GetByTestId("webhook-row").Filter(new LocatorFilterOptions { HasText = url }).GetByTestId("webhook-log").ClickAsync();
        await Assertions.Expect(page.GetByTestId("webhook-deliveries-empty")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_widget_works_on_a_phone_sized_screen_and_by_keyboard()
    {
        var page = await fixture.NewPageAsync(width: 390, height: 800);
        await page.GotoAsync("/demo");
        await page.GetByTestId("crm-chat-open").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("crm-chat-name")).ToBeFocusedAsync();
        var box = await page.GetByTestId("crm-chat-transcript").BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.Width > 350, $"the panel should span a phone screen, was {box.Width}px");
        await page.GetByTestId("crm-chat-send").ClickAsync();
        await Assertions.Expect(page.GetByTestId("crm-chat-error")).ToContainTextAsync("Write a message first");
        await BrowserFixture.ScreenshotAsync(page, "chat-widget-phone");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.GetByTestId("crm-chat-name")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Marketing_imports_contacts_from_csv_and_sees_them_with_a_rejected_row_explained()
    {
        var tag = "csv" + Guid.NewGuid().ToString("N")[..8];
        var csv = $"email,name,tags,city\nolga.{tag}@example.com,Olga,\"{tag};vip\",Oslo\n\"piet.{tag}@example.com\",\"Piet, Jr.\",{tag},Delft\nnot-an-email,Nobody,{tag},Nowhere\n";
        var file = Path.Combine(Path.GetTempPath(), $"contacts-{tag}.csv");
        await File.WriteAllTextAsync(file, csv);
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "marketing");
        await page.GotoAsync("/admin/contacts");

        await page.GetByTestId("contacts-file").SetInputFilesAsync(file);
        await page.GetByTestId("contacts-import").ClickAsync();

        await Assertions.Expect(page.GetByTestId("import-result")).ToContainTextAsync("2 created, 0 updated, 1 rejected");
        await Assertions.Expect(page.GetByTestId("import-result")).ToContainTextAsync("email is not a valid address");
        await page.GotoAsync($"/admin/contacts?tag={tag}");
        var rows = page.GetByTestId("contact-row");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Filter(new LocatorFilterOptions { HasText = "Piet, Jr." })).ToContainTextAsync("city=Delft");
    }

    [Fact]
    public async Task A_wrong_password_shows_an_error_and_signs_nobody_in()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/login");
        await page.GetByTestId("login-user").FillAsync("agent");
        await page.GetByTestId("login-password").FillAsync("not-the-password");

        var response = await page.RunAndWaitForResponseAsync(() => page.GetByTestId("login-submit").ClickAsync(), r => r.Url.Contains("/login", StringComparison.Ordinal) && r.Request.Method == "POST");

        Assert.Equal(401, response.Status);
        await Assertions.Expect(page.GetByTestId("login-error")).ToContainTextAsync("wrong password");
        await page.GotoAsync("/admin/tickets");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "agent");

        await page.GetByTestId("logout").ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
        await page.GotoAsync("/admin/tickets");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
    }

    [Fact]
    public async Task An_agent_changes_a_tickets_status()
    {
        var email = $"status.{Guid.NewGuid():N}@example.com";
        using (var client = fixture.Host.CreateClient())
        using (var chat = await client.PostAsJsonAsync("/tickets?channel=chat", new { name = "Status", email, message = "Please close me" }))
        {
            chat.EnsureSuccessStatusCode();
            var id = (await chat.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetInt64();
            var page = await fixture.NewPageAsync();
            await BrowserFixture.SignInAsync(page, "agent");
            await page.GotoAsync($"/admin/tickets/{id}");
            await Assertions.Expect(page.GetByTestId("ticket-status")).ToHaveTextAsync("open");

            await page.Locator("select#status").SelectOptionAsync("solved");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

            await Assertions.Expect(page.GetByTestId("ticket-status")).ToHaveTextAsync("solved");
        }
    }

    [Fact]
    public async Task Marketing_sends_a_test_to_themselves_and_it_lands_in_the_outbox()
    {
        var subject = "Test run " + Guid.NewGuid().ToString("N")[..8];
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "marketing");
        await page.GotoAsync("/admin/bulk-email");
        await page.GetByTestId("campaign-subject").FillAsync(subject);
        await page.GetByTestId("campaign-body").FillAsync("<p>Hello {{ contact.name }}</p>");

        await page.GetByTestId("campaign-send-test").ClickAsync();

        await Assertions.Expect(page.GetByTestId("campaign-notice")).ToContainTextAsync("A test copy went to marketing@crm.example");
        await page.GotoAsync("/admin/outbox");
        await Assertions.Expect(page.GetByTestId("outbox-row").Filter(new() { HasText = "[Test] " + subject })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Marketing_schedules_a_campaign_then_pauses_resumes_and_cancels_it_with_the_buttons()
    {
        var subject = "Scheduled " + Guid.NewGuid().ToString("N")[..8];
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "marketing");
        await page.GotoAsync("/admin/bulk-email");
        await page.GetByTestId("campaign-subject").FillAsync(subject);
        await page.GetByTestId("campaign-body").FillAsync("<p>Later</p>");
        await page.GetByTestId("campaign-schedule").FillAsync(DateTime.UtcNow.AddDays(3).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));

        await page.GetByTestId("campaign-send").ClickAsync();

        await Assertions.Expect(page.GetByTestId("campaign-status")).ToHaveTextAsync("scheduled");
        await page.GetByTestId("campaign-pause").ClickAsync();
        await Assertions.Expect(page.GetByTestId("campaign-status")).ToHaveTextAsync("paused");
        await page.GetByTestId("campaign-resume").ClickAsync();
        await Assertions.Expect(page.GetByTestId("campaign-status")).ToHaveTextAsync("scheduled");
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await page.GetByTestId("campaign-cancel").ClickAsync();
        await Assertions.Expect(page.GetByTestId("campaign-status")).ToHaveTextAsync("cancelled");
    }

    [Theory]
    [InlineData("/admin/outbox/..%2F..%2Fappsettings.json")]
    [InlineData("/admin/outbox/..%2Fcrm.db")]
    [InlineData("/admin/outbox/notes.eml")]
    [InlineData("/admin/outbox/20261101000000000-00000000000000000000000000000000.eml")]
    public async Task The_outbox_viewer_opens_only_message_files_it_wrote(string path)
    {
        // Real files, a valid mail among them, that the sender did not write: only the name rule keeps them out.
        var outbox = Path.Combine(fixture.Host.DataDirectory, "outbox");
        Directory.CreateDirectory(outbox);
        await File.WriteAllTextAsync(Path.Combine(outbox, "notes.eml"), "From: a@example.com\r\nTo: b@example.com\r\nSubject: Not ours\r\n\r\nHello\r\n");
        Assert.True(File.Exists(Path.Combine(fixture.Host.DataDirectory, "crm.db")));
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "marketing");

        var response = await page.GotoAsync(path);

        Assert.Equal(404, response!.Status);
    }
}
