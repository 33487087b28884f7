using System.Net.Http.Json;
using System.Text.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Crm.Ui.Tests;

/// <summary>axe-core (the engine Deque ships for Playwright) finds no serious or critical WCAG violation on the pages people use.</summary>
[Collection(nameof(BrowserCollection))]
public sealed class AccessibilityTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_sign_in_page_has_no_serious_violations()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/login");

        await AssertAccessibleAsync(page, "sign-in");
    }

    [Fact]
    public async Task The_inbox_a_ticket_page_and_contacts_have_no_serious_violations()
    {
        using var visitor = fixture.Host.CreateClient();
        using var chat = await visitor.PostAsJsonAsync("/tickets?channel=chat", new { name = "Axel", email = $"axel.{Guid.NewGuid():N}@example.com", message = "Accessible?" });
        var ticketId = (await chat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var agent = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(agent, "agent");

        await agent.GotoAsync("/admin/tickets");
        await AssertAccessibleAsync(agent, "inbox");
        await agent.GotoAsync($"/admin/tickets/{ticketId}");
        await AssertAccessibleAsync(agent, "ticket");
        await agent.GotoAsync("/admin/contacts");
        await AssertAccessibleAsync(agent, "contacts");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=email") { Content = new ByteArrayContent("Subject: no sender\r\n\r\nHello\r\n"u8.ToArray()) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("message/rfc822");
        request.Headers.Add("X-Crm-Secret", BrowserFixture.InboundSecret);
        using var quarantined = await visitor.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, quarantined.StatusCode);
        await agent.GotoAsync("/admin/tickets/quarantine");
        await AssertAccessibleAsync(agent, "quarantine");
    }

    [Fact]
    public async Task The_bulk_email_editor_has_no_serious_violations()
    {
        var manager = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(manager, "manager");
        await manager.GotoAsync("/admin/bulk-email");

        await AssertAccessibleAsync(manager, "bulk-email editor");
    }

    [Fact]
    public async Task The_mailboxes_page_has_no_serious_violations()
    {
        var manager = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(manager, "manager");
        await manager.GotoAsync("/admin/mailboxes");

        await AssertAccessibleAsync(manager, "mailboxes");
    }

    [Fact]
    public async Task The_new_email_page_has_no_serious_violations()
    {
        var agent = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(agent, "agent");
        await agent.GotoAsync("/admin/tickets/new");

        await AssertAccessibleAsync(agent, "new email");
    }

    [Fact]
    public async Task The_demo_page_with_the_widget_open_has_no_serious_violations_in_the_widget()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/demo");
        await page.GetByTestId("crm-chat-open").ClickAsync();
        await page.GetByTestId("crm-chat-message").FillAsync("Hello");
        await page.GetByTestId("crm-chat-send").ClickAsync();
        await Assertions.Expect(page.GetByTestId("crm-chat-error")).ToContainTextAsync("email");

        await AssertAccessibleAsync(page, "demo with the widget open");
    }

    internal static async Task AssertAccessibleAsync(IPage page, string name)
    {
        // Frames are left out: the sandboxed frames (email HTML, previews) run no script, so axe cannot enter them and
        // would wait for ever; what they show is customers' or campaign authors' content, not this UI.
        var result = await page.RunAxe(new AxeRunOptions { Iframes = false });
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(
            serious.Count == 0,
            $"axe-core on {name}:\n" + string.Join("\n", serious.Select(v => $"- {v.Id} ({v.Impact}): {v.Help} at {string.Join("; ", v.Nodes.Take(3).Select(n => n.Html))}")));
    }
}
