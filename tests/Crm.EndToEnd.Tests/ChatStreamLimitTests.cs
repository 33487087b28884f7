using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Testing;

namespace Crm.EndToEnd.Tests;

/// <summary>Open event streams are bounded per conversation (the newest replaces the oldest) and per client address (429).</summary>
public sealed class ChatStreamLimitTests : IAsyncLifetime
{
    private HostProcess _host = null!;

    public async Task InitializeAsync() => _host = await HostProcess.StartAsync(new Dictionary<string, string?>
    {
        ["Crm:RateLimiting:ChatPermitLimit"] = "10000",
        ["Crm:RateLimiting:ConversationPermitLimit"] = "10000",
        ["Crm:Chat:HeartbeatInterval"] = "00:00:01",
        ["Crm:Chat:MaxStreamsPerConversation"] = "2",
        ["Crm:Chat:MaxStreamsPerClient"] = "3",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_third_stream_of_a_conversation_replaces_the_oldest_and_a_client_past_its_limit_gets_429()
    {
        using var visitor = _host.CreateClient();
        var a = await StartChatAsync(visitor, "streams-a@example.com");
        var b = await StartChatAsync(visitor, "streams-b@example.com");
        var c = await StartChatAsync(visitor, "streams-c@example.com");

        await using var first = await OpenAsync(visitor, a);
        await using var second = await OpenAsync(visitor, a);
        await using var third = await OpenAsync(visitor, a);
        Assert.Equal(HttpStatusCode.OK, third.Response.StatusCode);
        // The oldest stream of the conversation is closed by the server: the browser would reconnect, the newest stays.
        await Assert.ThrowsAsync<EndOfStreamException>(async () =>
        {
            // The stream first replays the conversation's message, then ends.
            while (true)
            {
                await first.NextMessageAsync(TimeSpan.FromSeconds(10));
            }
        });

        await using var other = await OpenAsync(visitor, b);
        Assert.Equal(HttpStatusCode.OK, other.Response.StatusCode);
        await using var refused = await OpenAsync(visitor, c);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Response.StatusCode);
        Assert.Equal("application/problem+json", refused.Response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(refused.Response.Headers.RetryAfter);

        // Closing one frees its place.
        await other.DisposeAsync();
        var reopened = await Poll.UntilAsync(async () =>
        {
            var stream = await OpenAsync(visitor, c);
            if (stream.Response.StatusCode != HttpStatusCode.OK)
            {
                await stream.DisposeAsync();
                return null;
            }

            return stream;
        }, s => s is not null, TimeSpan.FromSeconds(10), "a stream once another closed");
        await reopened!.DisposeAsync();
    }

    private static Task<EventStreamReader> OpenAsync(HttpClient client, (string ConversationId, string Token) chat)
        => EventStreamReader.OpenAsync(client, $"/chat/conversations/{chat.ConversationId}/events", bearer: chat.Token);

    private static async Task<(string ConversationId, string Token)> StartChatAsync(HttpClient visitor, string email)
    {
        using var response = await visitor.PostAsJsonAsync("/tickets?channel=chat", new { name = "Visitor", email, message = "Hello" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var receipt = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (receipt.GetProperty("conversationId").GetString()!, receipt.GetProperty("visitorToken").GetString()!);
    }
}
