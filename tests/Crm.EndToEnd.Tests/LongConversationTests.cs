using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Testing;

namespace Crm.EndToEnd.Tests;

/// <summary>
/// A conversation is bounded (past the per-ticket cap a message starts a new ticket) and read a page at a time: the
/// API and the agent's ticket page answer the latest messages, scroll back with <c>before</c>, and answer 304 to a
/// poll until something changed.
/// </summary>
public sealed class LongConversationTests : IAsyncLifetime
{
    private const string AgentKey = "agent-key-long-conversations";
    private HostProcess _host = null!;

    public async Task InitializeAsync() => _host = await HostProcess.StartAsync(new Dictionary<string, string?>
    {
        [$"Crm:ApiKeys:{AgentKey}"] = "Agent",
        ["Crm:Users:ada:Password"] = "long conversations",
        ["Crm:Users:ada:Role"] = "Agent",
        ["Crm:RateLimiting:ChatPermitLimit"] = "100000",
        ["Crm:RateLimiting:ConversationPermitLimit"] = "100000",
        ["Crm:Ingestion:MaxMessagesPerTicket"] = "150",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Messages_come_a_page_at_a_time_a_poll_gets_304_until_something_changes_and_a_full_ticket_starts_a_new_one()
    {
        using var visitor = _host.CreateClient();
        using var agent = _host.CreateClient(AgentKey);
        var (ticketId, conversationId, token) = await ChatAsync(visitor, null, null, "message 1");
        for (var i = 2; i <= 150; i++)
        {
            var (sameTicket, _, _) = await ChatAsync(visitor, conversationId, token, $"message {i}");
            Assert.Equal(ticketId, sameTicket);
        }

        var latest = await agent.GetAsync($"/tickets/{ticketId}?limit=100");
        var page = await latest.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(100, page.GetProperty("messages").GetArrayLength());
        Assert.True(page.GetProperty("hasOlderMessages").GetBoolean());
        Assert.Equal("message 51", page.GetProperty("messages")[0].GetProperty("text").GetString());
        Assert.Equal("message 150", page.GetProperty("messages")[99].GetProperty("text").GetString());

        var firstId = page.GetProperty("messages")[0].GetProperty("id").GetInt64();
        var older = await agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}?before={firstId}&limit=100");
        Assert.Equal(50, older.GetProperty("messages").GetArrayLength());
        Assert.False(older.GetProperty("hasOlderMessages").GetBoolean());
        Assert.Equal("message 50", older.GetProperty("messages")[49].GetProperty("text").GetString());
        // The default page is 200 messages; a request for more than 1,000 is refused.
        Assert.Equal(150, (await agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}")).GetProperty("messages").GetArrayLength());
        using (var tooMany = await agent.GetAsync($"/tickets/{ticketId}?limit=5000"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        }

        // A poll with the ETag it got is 304 while nothing changed.
        var etag = latest.Headers.ETag!;
        using (var unchanged = await SendWithETagAsync(agent, $"/tickets/{ticketId}?limit=100", etag))
        {
            Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
            Assert.Empty(await unchanged.Content.ReadAsByteArrayAsync());
        }

        // The ticket is full: the 151st message starts a new ticket (and conversation) for the same visitor.
        var (nextTicket, nextConversation, _) = await ChatAsync(visitor, conversationId, token, "message 151");
        Assert.NotEqual(ticketId, nextTicket);
        Assert.NotEqual(conversationId, nextConversation);
        using (var stillUnchanged = await SendWithETagAsync(agent, $"/tickets/{ticketId}?limit=100", etag))
        {
            Assert.Equal(HttpStatusCode.NotModified, stillUnchanged.StatusCode);
        }

        using (var reply = await agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "Catching up" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
        }

        using var changed = await SendWithETagAsync(agent, $"/tickets/{ticketId}?limit=100", etag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var after = await agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}?after={page.GetProperty("messages")[99].GetProperty("id").GetInt64()}");
        Assert.Equal(["Catching up"], after.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()));

        // The agent's page shows the latest hundred, links to the earlier ones, and answers its live poll with 304.
        using var session = AdminSession.For(_host);
        Assert.Equal(HttpStatusCode.Redirect, (await session.SignInAsync("ada", "long conversations")).StatusCode);
        using var html = await session.Client.GetAsync($"/admin/tickets/{ticketId}");
        var text = await html.Content.ReadAsStringAsync();
        Assert.Equal(100, System.Text.RegularExpressions.Regex.Matches(text, "data-testid=\"ticket-message\"").Count);
        Assert.Contains("data-testid=\"older-messages\"", text, StringComparison.Ordinal);
        using var poll = await SendWithETagAsync(session.Client, $"/admin/tickets/{ticketId}", html.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, poll.StatusCode);
    }

    private static async Task<HttpResponseMessage> SendWithETagAsync(HttpClient client, string path, EntityTagHeaderValue etag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.IfNoneMatch.Add(etag);
        return await client.SendAsync(request);
    }

    private static async Task<(long TicketId, string ConversationId, string Token)> ChatAsync(HttpClient visitor, string? conversationId, string? token, string text)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=chat")
        {
            Content = JsonContent.Create(new { name = "Lena", email = "long@example.com", message = text, conversationId }),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await visitor.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var receipt = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (receipt.GetProperty("id").GetInt64(), receipt.GetProperty("conversationId").GetString()!, receipt.GetProperty("visitorToken").GetString()!);
    }
}
