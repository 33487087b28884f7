using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace Crm.Ui.Tests;

/// <summary>A visitor on /demo and an agent in the admin UI hold a conversation, each in a browser context of their own.</summary>
[Collection(nameof(BrowserCollection))]
public sealed class ConversationUiTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_agent_sees_the_customers_Cc_in_the_reply_box_edits_it_and_the_reply_keeps_the_edit()
    {
        var key = Guid.NewGuid().ToString("N")[..10];
        using var relay = fixture.Host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=email")
        {
            Content = new ByteArrayContent(System.Text.Encoding.ASCII.GetBytes(
                $"From: Bea <bea.{key}@customer.example>\r\nTo: support@crm.example\r\nCc: carl.{key}@customer.example\r\nSubject: Cc {key}\r\nMessage-ID: <cc.{key}@customer.example>\r\n\r\nPlease copy Carl.\r\n")),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("message/rfc822");
        request.Headers.Add("X-Crm-Secret", BrowserFixture.InboundSecret);
        using var stored = await relay.SendAsync(request);
        var ticketId = (await stored.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var agent = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(agent, "agent");
        await agent.GotoAsync($"/admin/tickets/{ticketId}");
        await Assertions.Expect(agent.GetByTestId("reply-cc")).ToHaveValueAsync($"carl.{key}@customer.example");
        await agent.GetByTestId("reply-cc").FillAsync($"dora.{key}@customer.example, carl.{key}@customer.example");
        await agent.GetByTestId("reply-text").FillAsync("Copied both of you.");
        await agent.GetByTestId("reply-send").ClickAsync();
        await Assertions.Expect(agent.GetByTestId("message-text")).ToHaveTextAsync(["Please copy Carl.", "Copied both of you."]);
        // The field keeps what was sent, and the ticket took it.
        await Assertions.Expect(agent.GetByTestId("reply-cc")).ToHaveValueAsync($"dora.{key}@customer.example, carl.{key}@customer.example");
        using var api = fixture.Host.CreateClient(BrowserFixture.ManagerKey);
        var ticket = await api.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}");
        Assert.Equal([$"dora.{key}@customer.example", $"carl.{key}@customer.example"], ticket.GetProperty("cc").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task An_agent_starts_an_email_from_an_inbox_and_lands_on_its_new_ticket()
    {
        var key = Guid.NewGuid().ToString("N")[..10];
        var agent = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(agent, "agent");
        await agent.GotoAsync("/admin/tickets");
        await agent.GetByTestId("nav-new-email").ClickAsync();
        await Assertions.Expect(agent.GetByTestId("new-email-to")).ToHaveValueAsync("");
        await Assertions.Expect(agent.GetByTestId("inbox-row")).ToHaveCountAsync(1);
        await Assertions.Expect(agent.GetByTestId("inbox-row").First).ToHaveAttributeAsync("data-name", "default");
        await Assertions.Expect(agent.GetByTestId("new-email-inbox")).ToHaveValueAsync("default");

        // A refused address is said in the form, and nothing leaves the page.
        await agent.GetByTestId("new-email-to").FillAsync($"nina.{key}@customer.example");
        await agent.GetByTestId("new-email-cc").FillAsync("not an address");
        await agent.GetByTestId("new-email-subject").FillAsync($"Your quote {key}");
        await agent.GetByTestId("new-email-text").FillAsync("Here is the quote you asked for.");
        await agent.GetByTestId("new-email-send").ClickAsync();
        await Assertions.Expect(agent.GetByTestId("new-email-error")).ToContainTextAsync("valid email addresses");
        await BrowserFixture.ScreenshotAsync(agent, "new-email");

        await agent.GetByTestId("new-email-cc").FillAsync($"otto.{key}@customer.example");
        await agent.GetByTestId("new-email-send").ClickAsync();
        await agent.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/admin/tickets/[0-9]+$"));
        await Assertions.Expect(agent.GetByTestId("message-text")).ToHaveTextAsync(["Here is the quote you asked for."]);
        await Assertions.Expect(agent.GetByTestId("ticket-inbox")).ToContainTextAsync("default");
        await Assertions.Expect(agent.GetByTestId("reply-cc")).ToHaveValueAsync($"otto.{key}@customer.example");
        await Assertions.Expect(agent.GetByTestId("ticket-status")).ToHaveTextAsync("pending");
        await Assertions.Expect(agent.GetByTestId("delivery-status")).ToHaveTextAsync("sent");

        // From the contact list, the contact's address opens the form addressed to them.
        await agent.GotoAsync($"/admin/contacts");
        await agent.GetByTestId("contact-new-email").First.ClickAsync();
        await Assertions.Expect(agent.GetByTestId("new-email-to")).Not.ToHaveValueAsync("");
        Assert.Contains("/admin/tickets/new?to=", agent.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agents_reply_appears_live_in_the_widget_and_survives_a_reload()
    {
        var visitor = await fixture.NewPageAsync();
        var name = $"Live {Guid.NewGuid():N}"[..13];
        await visitor.GotoAsync("/demo");
        await visitor.GetByTestId("crm-chat-open").ClickAsync();
        await visitor.GetByTestId("crm-chat-name").FillAsync(name);
        await visitor.GetByTestId("crm-chat-email").FillAsync($"live.{Guid.NewGuid():N}@example.com");
        await visitor.GetByTestId("crm-chat-message").FillAsync("Is the walnut desk in stock?");
        await visitor.GetByTestId("crm-chat-send").ClickAsync();
        await Assertions.Expect(visitor.GetByTestId("crm-chat-transcript")).ToContainTextAsync("Is the walnut desk in stock?");

        var agent = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(agent, "agent");
        await agent.GotoAsync("/admin/tickets?channel=chat");
        await agent.GetByTestId("ticket-row").Filter(new LocatorFilterOptions { HasText = name }).GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(agent.GetByTestId("identity-badge")).ToHaveTextAsync("unverified");
        await agent.GetByTestId("reply-text").FillAsync("Yes, two left. Shall I reserve one?");
        await agent.GetByTestId("reply-text").PressAsync("Control+Enter");

        // No reload on the visitor's side: the event stream brings the reply.
        await Assertions.Expect(visitor.GetByTestId("crm-chat-transcript")).ToContainTextAsync("Yes, two left. Shall I reserve one?");
        // The widget received it, and the agent's page shows that without a reload either.
        await Assertions.Expect(agent.GetByTestId("delivery-status")).ToHaveTextAsync("delivered", new() { Timeout = 15_000 });
        await BrowserFixture.ScreenshotAsync(agent, "ticket-reply");
        await BrowserFixture.ScreenshotAsync(visitor, "chat-widget-live");

        // The visitor answers; the agent's page shows it live.
        await visitor.GetByTestId("crm-chat-message").FillAsync("Yes please!");
        await visitor.GetByTestId("crm-chat-send").ClickAsync();
        await Assertions.Expect(agent.GetByTestId("message-text")).ToHaveTextAsync(["Is the walnut desk in stock?", "Yes, two left. Shall I reserve one?", "Yes please!"]);

        await visitor.ReloadAsync();
        await visitor.GetByTestId("crm-chat-open").ClickAsync();
        var transcript = visitor.GetByTestId("crm-chat-transcript");
        await Assertions.Expect(transcript).ToContainTextAsync("Is the walnut desk in stock?");
        await Assertions.Expect(transcript).ToContainTextAsync("Yes, two left. Shall I reserve one?");
        await Assertions.Expect(transcript).ToContainTextAsync("Yes please!");
    }

    [Fact]
    public async Task Visitor_and_agent_send_each_other_files_in_the_widget_and_the_admin_page()
    {
        var directory = Directory.CreateTempSubdirectory("crm-ui-files-");
        try
        {
            var picture = Path.Combine(directory.FullName, "broken-leg.png");
            await File.WriteAllBytesAsync(picture, Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="));
            var guide = Path.Combine(directory.FullName, "assembly-guide.pdf");
            await File.WriteAllTextAsync(guide, "%PDF-1.4\n% assembly guide\n%%EOF\n");
            var name = $"Files {Guid.NewGuid():N}"[..14];

            var visitor = await fixture.NewPageAsync();
            await visitor.GotoAsync("/demo");
            await visitor.GetByTestId("crm-chat-open").ClickAsync();
            await visitor.GetByTestId("crm-chat-name").FillAsync(name);
            await visitor.GetByTestId("crm-chat-email").FillAsync($"files.{Guid.NewGuid():N}@example.com");
            await visitor.GetByTestId("crm-chat-message").FillAsync("The desk arrived with a broken leg");
            await visitor.GetByTestId("crm-chat-file").SetInputFilesAsync(picture);
            await visitor.GetByTestId("crm-chat-send").ClickAsync();
            var transcript = visitor.GetByTestId("crm-chat-transcript");
            await Assertions.Expect(transcript.Locator("a.file")).ToHaveTextAsync("broken-leg.png");
            await Assertions.Expect(transcript.Locator("a.file img")).ToHaveJSPropertyAsync("naturalWidth", 1);

            var agent = await fixture.NewPageAsync();
            await BrowserFixture.SignInAsync(agent, "agent");
            await agent.GotoAsync("/admin/tickets?channel=chat");
            await agent.GetByTestId("ticket-row").Filter(new LocatorFilterOptions { HasText = name }).GetByRole(AriaRole.Link).ClickAsync();
            await Assertions.Expect(agent.Locator("img.thumb")).ToHaveJSPropertyAsync("naturalWidth", 1);

            await agent.GetByTestId("reply-text").FillAsync("Sorry! The guide shows how to swap the leg.");
            await agent.GetByTestId("reply-files").SetInputFilesAsync(guide);
            await agent.GetByTestId("reply-send").ClickAsync();

            // Live in the widget: the agent's file as a link the visitor (who has no session) can open.
            var sent = transcript.Locator("li.outbound a.file");
            await Assertions.Expect(sent).ToHaveTextAsync("assembly-guide.pdf", new() { Timeout = 15_000 });
            var href = await sent.GetAttributeAsync("href");
            var status = await visitor.EvaluateAsync<int>("async url => (await fetch(url)).status", href);
            Assert.Equal(200, status);
            await BrowserFixture.ScreenshotAsync(visitor, "chat-widget-files");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_script_on_the_visitors_page_cannot_read_another_conversation()
    {
        using var api = fixture.Host.CreateClient();
        using var other = await api.PostAsJsonAsync("/tickets?channel=chat", new { name = "Other", email = $"other.{Guid.NewGuid():N}@example.com", message = "Private: my address is 1 Elm St" });
        var otherConversation = (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("conversationId").GetString();

        var visitor = await fixture.NewPageAsync();
        await visitor.GotoAsync("/demo");
        await visitor.GetByTestId("crm-chat-open").ClickAsync();
        await visitor.GetByTestId("crm-chat-name").FillAsync("Holder");
        await visitor.GetByTestId("crm-chat-email").FillAsync($"holder.{Guid.NewGuid():N}@example.com");
        await visitor.GetByTestId("crm-chat-message").FillAsync("Mine");
        await visitor.GetByTestId("crm-chat-send").ClickAsync();
        await Assertions.Expect(visitor.GetByTestId("crm-chat-transcript")).ToContainTextAsync("Mine");

        // A hostile script sees everything the widget stored (its own token) and tries the other conversation with it.
        var statuses = await visitor.EvaluateAsync<int[]>(
            """
            async other => {
              const key = Object.keys(localStorage).find(k => k.startsWith("crm-chat:"));
              const token = JSON.parse(localStorage.getItem(key)).visitorToken;
              const read = await fetch(`/chat/conversations/${other}/messages`, { headers: { Authorization: "Bearer " + token } });
              const write = await fetch("/tickets?channel=chat", { method: "POST", headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
                body: JSON.stringify({ email: "holder@example.com", message: "injected", conversationId: other }) });
              const anonymous = await fetch(`/chat/conversations/${other}/messages`);
              return [read.status, write.status, anonymous.status];
            }
            """,
            otherConversation);

        Assert.Equal([403, 403, 401], statuses);
    }
}

/// <summary>The campaign editor's deliverability fields reach the campaign.</summary>
[Collection(nameof(BrowserCollection))]
public sealed class CampaignEditorUiTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Marketing_sets_reply_to_and_turns_click_tracking_off_in_the_editor()
    {
        var subject = $"Quiet links {Guid.NewGuid():N}"[..20];
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "marketing");
        await page.GotoAsync("/admin/bulk-email");
        await page.GetByTestId("campaign-subject").FillAsync(subject);
        await page.GetByTestId("campaign-body").FillAsync("<p><a href=\"https://shop.example/quiet\">Quiet</a></p>");
        await page.GetByTestId("campaign-reply-to").FillAsync("answers@crm.example");
        await page.GetByTestId("campaign-track-clicks").UncheckAsync();
        await page.GetByTestId("campaign-send").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/admin/bulk-email/\d+$"));

        using var api = fixture.Host.CreateClient(BrowserFixture.ManagerKey);
        var id = page.Url[(page.Url.LastIndexOf('/') + 1)..];
        var campaign = await api.GetFromJsonAsync<JsonElement>($"/bulk-email/{id}");
        Assert.Equal("answers@crm.example", campaign.GetProperty("replyTo").GetString());
        Assert.False(campaign.GetProperty("trackClicks").GetBoolean());
        Assert.True(campaign.GetProperty("trackOpens").GetBoolean());
        await Assertions.Expect(page.GetByTestId("stat-machine-opens")).ToBeVisibleAsync();
    }
}

/// <summary>Attachments in the admin UI: pictures show, anything that could run script is only a download.</summary>
[Collection(nameof(BrowserCollection))]
public sealed class AttachmentUiTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_agent_sees_an_image_attachment_and_a_hostile_svg_only_downloads_without_running()
    {
        var subject = $"Photo {Guid.NewGuid():N}"[..14];
        var mail = new MimeKit.MimeMessage { Subject = subject, MessageId = $"{Guid.NewGuid():N}@ui.example" };
        mail.From.Add(MimeKit.MailboxAddress.Parse("pic@customer.example"));
        mail.To.Add(MimeKit.MailboxAddress.Parse("support@shop.example"));
        var builder = new MimeKit.BodyBuilder { TextBody = "See attached" };
        builder.Attachments.Add("photo.png", Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="), new MimeKit.ContentType("image", "png"));
        builder.Attachments.Add("evil.svg", System.Text.Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"window.opener && (window.opener.pwned = true); document.title='ran'\"><script>window.pwned = true</script></svg>"), new MimeKit.ContentType("image", "svg+xml"));
        mail.Body = builder.ToMessageBody();
        using var raw = new MemoryStream();
        await mail.WriteToAsync(raw);
        using var relay = fixture.Host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=email") { Content = new ByteArrayContent(raw.ToArray()) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("message/rfc822");
        request.Headers.Add("X-Crm-Secret", BrowserFixture.InboundSecret);
        using var created = await relay.SendAsync(request);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var agent = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(agent, "agent");
        await agent.GotoAsync($"/admin/tickets/{id}");
        var thumbnail = agent.Locator("img.thumb");
        await Assertions.Expect(thumbnail).ToHaveCountAsync(1);
        await Assertions.Expect(thumbnail).ToHaveJSPropertyAsync("naturalWidth", 1);

        var download = await agent.RunAndWaitForDownloadAsync(() => agent.GetByTestId("attachment-link").Filter(new LocatorFilterOptions { HasText = "evil.svg" }).ClickAsync());
        Assert.Equal("evil.svg", download.SuggestedFilename);
        Assert.False(await agent.EvaluateAsync<bool>("() => window.pwned === true"));
        await BrowserFixture.ScreenshotAsync(agent, "ticket-attachments");
    }
}

[Collection(nameof(BrowserCollection))]
public sealed class QuarantineUiTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_agent_makes_a_ticket_of_quarantined_mail_by_giving_the_address_and_deletes_another()
    {
        var key = Guid.NewGuid().ToString("N")[..10];
        await PostAsync($"To: support@shop.example\r\nSubject: Lost {key}\r\n\r\nMy order never came.\r\n");
        await PostAsync($"To: support@shop.example\r\nSubject: Spam {key}\r\n\r\nBuy now.\r\n");

        var agent = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(agent, "agent");
        await agent.GotoAsync("/admin/tickets");
        await agent.GetByTestId("nav-quarantine").ClickAsync();
        var lost = agent.GetByTestId("quarantine-row").Filter(new LocatorFilterOptions { HasText = $"Lost {key}" });
        await Assertions.Expect(lost).ToContainTextAsync("unknown sender");

        // Without an address the mail cannot be a ticket: the page says so and keeps it.
        await lost.GetByTestId("quarantine-make-ticket").ClickAsync();
        await Assertions.Expect(agent.GetByTestId("quarantine-error")).ToContainTextAsync("give the customer's address");

        lost = agent.GetByTestId("quarantine-row").Filter(new LocatorFilterOptions { HasText = $"Lost {key}" });
        await lost.GetByTestId("quarantine-email").FillAsync($"lost.{key}@customer.example");
        await lost.GetByTestId("quarantine-make-ticket").ClickAsync();
        await Assertions.Expect(agent.Locator("h1")).ToContainTextAsync($"Lost {key}");
        await Assertions.Expect(agent.Locator("main")).ToContainTextAsync("My order never came.");

        await agent.GotoAsync("/admin/tickets/quarantine");
        await Assertions.Expect(agent.GetByTestId("quarantine-row").Filter(new LocatorFilterOptions { HasText = $"Lost {key}" })).ToHaveCountAsync(0);
        await agent.GetByTestId("quarantine-row").Filter(new LocatorFilterOptions { HasText = $"Spam {key}" }).GetByTestId("quarantine-delete").ClickAsync();
        await Assertions.Expect(agent.GetByTestId("quarantine-row").Filter(new LocatorFilterOptions { HasText = $"Spam {key}" })).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(agent, "quarantine");
    }

    private async Task PostAsync(string mail)
    {
        using var relay = fixture.Host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=email") { Content = new ByteArrayContent(System.Text.Encoding.ASCII.GetBytes(mail)) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("message/rfc822");
        request.Headers.Add("X-Crm-Secret", BrowserFixture.InboundSecret);
        using var response = await relay.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
    }
}
