using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Crm.Testing;

namespace Crm.EndToEnd.Tests;

public sealed class ChatConversationFixture : IAsyncLifetime
{
    public const string AgentKey = "agent-key-conversations";

    public HostProcess Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await HostProcess.StartAsync(new Dictionary<string, string?>
    {
        [$"Crm:ApiKeys:{AgentKey}"] = "Agent",
        ["Crm:RateLimiting:ChatPermitLimit"] = "10000",
        ["Crm:RateLimiting:ConversationPermitLimit"] = "10000",
        ["Crm:Chat:HeartbeatInterval"] = "00:00:01",
    });

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>The visitor's side of a chat against the host process: tokens, retries, the transcript and the live event stream.</summary>
public sealed class ChatConversationTests(ChatConversationFixture fixture) : IClassFixture<ChatConversationFixture>, IDisposable
{
    private readonly HttpClient _visitor = fixture.Host.CreateClient();
    private readonly HttpClient _agent = fixture.Host.CreateClient(ChatConversationFixture.AgentKey);

    public void Dispose()
    {
        _visitor.Dispose();
        _agent.Dispose();
    }

    [Fact]
    public async Task The_first_answer_carries_a_visitor_token_that_is_not_the_conversation_id()
    {
        var (receipt, token) = await StartChatAsync("token@example.com");

        var conversationId = receipt.GetProperty("conversationId").GetString()!;
        Assert.StartsWith("v1.", token, StringComparison.Ordinal);
        Assert.DoesNotContain(conversationId, token, StringComparison.Ordinal);
        Assert.True(token.Length >= 40, "the token carries a full HMAC");
    }

    [Fact]
    public async Task A_follow_up_needs_its_own_conversations_token_else_403_and_nothing_is_stored()
    {
        var (first, token) = await StartChatAsync("follow@example.com");
        var (_, otherToken) = await StartChatAsync("other@example.com");
        var conversationId = first.GetProperty("conversationId").GetString()!;
        var ticketId = first.GetProperty("id").GetInt64();

        using var noToken = await PostChatAsync(new { email = "follow@example.com", message = "no token", conversationId }, bearer: null);
        using var wrongToken = await PostChatAsync(new { email = "follow@example.com", message = "other token", conversationId }, otherToken);
        using var forged = await PostChatAsync(new { email = "follow@example.com", message = "forged", conversationId }, "v1." + new string('A', 43));
        using var right = await PostChatAsync(new { email = "follow@example.com", message = "right token", conversationId }, token);

        Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrongToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal("application/problem+json", noToken.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Created, right.StatusCode);
        Assert.Equal(ticketId, (await right.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        var texts = (await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}")).GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()).ToList();
        Assert.Equal(["Hello, I need help", "right token"], texts);
    }

    [Fact]
    public async Task A_retried_post_with_the_same_client_message_id_gets_the_same_answer_and_is_stored_once()
    {
        var clientMessageId = Guid.NewGuid().ToString();
        var body = new { name = "Rita", email = "retry@example.com", message = "Once only", clientMessageId };

        using var first = await PostChatAsync(body, bearer: null);
        var a = await first.Content.ReadFromJsonAsync<JsonElement>();
        using var retry = await PostChatAsync(body, bearer: a.GetProperty("visitorToken").GetString());
        // Whoever knows the visitor's email and client message id, but not the token, learns it is stored, nothing more.
        using var guess = await PostChatAsync(body, bearer: null);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var b = await retry.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(a.GetProperty("messageId").GetInt64(), b.GetProperty("messageId").GetInt64());
        Assert.Equal(a.GetProperty("visitorToken").GetString(), b.GetProperty("visitorToken").GetString());
        Assert.True(b.GetProperty("duplicate").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, guess.StatusCode);
        var c = await guess.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(c.GetProperty("duplicate").GetBoolean());
        Assert.Equal(JsonValueKind.Null, c.GetProperty("visitorToken").ValueKind);
        Assert.Equal(JsonValueKind.Null, c.GetProperty("conversationId").ValueKind);
        var ticket = await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{a.GetProperty("id").GetInt64()}");
        Assert.Single(ticket.GetProperty("messages").EnumerateArray());

        // The same client id from another visitor is another message: ids are scoped to the visitor.
        using var stranger = await PostChatAsync(new { name = "Sam", email = "stranger@example.com", message = "Mine", clientMessageId }, bearer: null);
        Assert.Equal(HttpStatusCode.Created, stranger.StatusCode);
        Assert.NotEqual(a.GetProperty("id").GetInt64(), (await stranger.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task The_transcript_needs_the_token_and_shows_this_conversation_with_the_agents_reply()
    {
        var (receipt, token) = await StartChatAsync("transcript@example.com");
        var (_, otherToken) = await StartChatAsync("transcript-other@example.com");
        var conversationId = receipt.GetProperty("conversationId").GetString()!;
        var ticketId = receipt.GetProperty("id").GetInt64();
        using var reply = await _agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "Happy to help!" });
        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);

        using var anonymous = await _visitor.GetAsync($"/chat/conversations/{conversationId}/messages");
        using var wrong = await GetWithBearerAsync($"/chat/conversations/{conversationId}/messages", otherToken);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);

        var messages = await Poll.UntilAsync(
            async () =>
            {
                using var response = await GetWithBearerAsync($"/chat/conversations/{conversationId}/messages", token);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
            },
            list => list.Count == 2,
            TimeSpan.FromSeconds(10),
            "the agent's reply in the transcript");
        Assert.Equal(["inbound", "outbound"], messages.Select(m => m.GetProperty("direction").GetString()));
        Assert.Equal("Happy to help!", messages[1].GetProperty("text").GetString());
        Assert.All(messages, m => Assert.False(m.TryGetProperty("externalMessageId", out _)));
        // Shown to the visitor: the reply is delivered.
        await TicketApi.WaitForDeliveryAsync(_agent, ticketId, messages[1].GetProperty("id").GetInt64(), "delivered");
    }

    [Fact]
    public async Task The_event_stream_delivers_agent_replies_live_and_resumes_after_the_last_event_id()
    {
        var (receipt, token) = await StartChatAsync("stream@example.com");
        var conversationId = receipt.GetProperty("conversationId").GetString()!;
        var ticketId = receipt.GetProperty("id").GetInt64();
        var path = $"/chat/conversations/{conversationId}/events?access_token={Uri.EscapeDataString(token)}";

        await using (var stream = await EventStreamReader.OpenAsync(_visitor, path))
        {
            Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
            Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
            var (firstId, firstData) = await stream.NextMessageAsync(TimeSpan.FromSeconds(10));
            Assert.Equal("Hello, I need help", JsonDocument.Parse(firstData).RootElement.GetProperty("text").GetString());

            using var reply = await _agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "Live answer" });
            var (replyId, replyData) = await stream.NextMessageAsync(TimeSpan.FromSeconds(5));
            var live = JsonDocument.Parse(replyData).RootElement;
            Assert.Equal("outbound", live.GetProperty("direction").GetString());
            Assert.Equal("Live answer", live.GetProperty("text").GetString());
            Assert.True(long.Parse(replyId, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(firstId, System.Globalization.CultureInfo.InvariantCulture));
        }

        // While nobody listened: the visitor wrote again and the agent answered; the reconnect gets exactly what it missed.
        var transcript = await GetTranscriptAsync(conversationId, token);
        var lastSeen = transcript[^1].GetProperty("id").GetInt64();
        using (var followUp = await PostChatAsync(new { email = "stream@example.com", message = "Still there?", conversationId }, token))
        {
            Assert.Equal(HttpStatusCode.Created, followUp.StatusCode);
        }

        using (var second = await _agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "Yes!" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        }

        await using var resumed = await EventStreamReader.OpenAsync(_visitor, path, lastEventId: lastSeen.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var (_, missed1) = await resumed.NextMessageAsync(TimeSpan.FromSeconds(10));
        var (_, missed2) = await resumed.NextMessageAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("Still there?", JsonDocument.Parse(missed1).RootElement.GetProperty("text").GetString());
        Assert.Equal("Yes!", JsonDocument.Parse(missed2).RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public async Task The_event_stream_refuses_a_missing_or_foreign_token_and_sends_heartbeats()
    {
        var (receipt, token) = await StartChatAsync("stream-refuse@example.com");
        var (_, otherToken) = await StartChatAsync("stream-refuse-other@example.com");
        var conversationId = receipt.GetProperty("conversationId").GetString()!;

        await using var none = await EventStreamReader.OpenAsync(_visitor, $"/chat/conversations/{conversationId}/events");
        await using var foreign = await EventStreamReader.OpenAsync(_visitor, $"/chat/conversations/{conversationId}/events?access_token={Uri.EscapeDataString(otherToken)}");
        await using var unknown = await EventStreamReader.OpenAsync(_visitor, "/chat/conversations/0123456789abcdef/events", bearer: token);
        Assert.Equal(HttpStatusCode.Unauthorized, none.Response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, foreign.Response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, unknown.Response.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/chat/conversations/{conversationId}/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("Last-Event-ID", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await _visitor.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string? line;
        do
        {
            line = await reader.ReadLineAsync(timeout.Token);
        }
        while (line is not null && line != ": heartbeat");
        Assert.Equal(": heartbeat", line);
    }

    [Fact]
    public async Task A_visitor_sends_a_picture_with_a_follow_up_and_the_agent_downloads_it()
    {
        var (first, token) = await StartChatAsync("picture@example.com");
        var conversationId = first.GetProperty("conversationId").GetString()!;
        var ticketId = first.GetProperty("id").GetInt64();

        using var sent = await PostFileAsync(conversationId, token, "Here is the damage", Png, "image/png", "damage.png");

        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        Assert.Equal(ticketId, (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        var message = (await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}")).GetProperty("messages").EnumerateArray().Last();
        Assert.Equal("Here is the damage", message.GetProperty("text").GetString());
        var file = message.GetProperty("attachments").EnumerateArray().Single();
        Assert.Equal(("damage.png", "image/png", (long)Png.Length), (file.GetProperty("fileName").GetString(), file.GetProperty("contentType").GetString(), file.GetProperty("size").GetInt64()));
        Assert.Equal(Png, await _agent.GetByteArrayAsync(file.GetProperty("url").GetString()));

        // A file alone is a message too.
        using var alone = await PostFileAsync(conversationId, token, "", Png, "image/png", "again.png");
        Assert.Equal(HttpStatusCode.Created, alone.StatusCode);
    }

    [Fact]
    public async Task Uploads_with_a_disguised_or_unlisted_type_too_large_or_without_the_token_are_refused_and_nothing_is_stored()
    {
        var (first, token) = await StartChatAsync("refused-upload@example.com");
        var conversationId = first.GetProperty("conversationId").GetString()!;
        var ticketId = first.GetProperty("id").GetInt64();
        var page = Encoding.UTF8.GetBytes("<html><script>alert(1)</script></html>");

        using var disguised = await PostFileAsync(conversationId, token, "look", page, "image/png", "cute.png");
        using var unlisted = await PostFileAsync(conversationId, token, "look", page, "text/html", "page.html");
        using var tooLarge = await PostFileAsync(conversationId, token, "big", [.. Png, .. new byte[11 * 1024 * 1024]], "image/png", "big.png");
        using var noToken = await PostFileAsync(conversationId, null, "sneaky", Png, "image/png", "sneaky.png");
        using var otherToken = await PostFileAsync(conversationId, (await StartChatAsync("other-upload@example.com")).Token, "sneaky", Png, "image/png", "sneaky.png");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, disguised.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unlisted.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherToken.StatusCode);
        Assert.Equal("application/problem+json", disguised.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, (await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}")).GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task The_visitor_sees_an_agents_file_through_a_signed_link_that_opens_nothing_else()
    {
        var (first, token) = await StartChatAsync("agent-file@example.com");
        var conversationId = first.GetProperty("conversationId").GetString()!;
        var ticketId = first.GetProperty("id").GetInt64();
        var guide = Encoding.ASCII.GetBytes("%PDF-1.4\n% setup guide\n%%EOF\n");
        using var form = new MultipartFormDataContent { { new StringContent("The setup guide is attached."), "text" } };
        var part = new ByteArrayContent(guide);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(part, "files", "setup-guide.pdf");
        using var reply = await _agent.PostAsync($"/tickets/{ticketId}/replies", form);
        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);

        var agentMessage = (await GetTranscriptAsync(conversationId, token)).Single(m => m.GetProperty("direction").GetString() == "outbound");
        var file = agentMessage.GetProperty("attachments").EnumerateArray().Single();
        Assert.Equal("setup-guide.pdf", file.GetProperty("fileName").GetString());
        var url = file.GetProperty("url").GetString()!;

        // No session, no token: the signed link is the key, and it opens this file of this ticket only.
        using var anonymous = fixture.Host.CreateClient();
        using var download = await anonymous.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(guide, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("sandbox", download.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        var segments = url.Split('/');
        var (ticket, key, expires, signature) = (segments[^4], segments[^3], segments[^2], segments[^1]);
        var otherTicket = (await StartChatAsync("someone-else@example.com")).Receipt.GetProperty("id").GetInt64();
        foreach (var forged in new[]
        {
            $"/attachments/{ticket}/{key}/{expires}/{signature[..^2]}AA",
            $"/attachments/{otherTicket}/{key}/{expires}/{signature}",
            $"/attachments/{ticket}/{key}/{long.Parse(expires, System.Globalization.CultureInfo.InvariantCulture) + 3600}/{signature}",
            $"/attachments/{ticket}/{new string('0', 64)}/{expires}/{signature}",
            $"/attachments/{ticket}/{key}/1000/{signature}",
        })
        {
            using var refused = await anonymous.GetAsync(forged);
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }
    }

    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    private async Task<HttpResponseMessage> PostFileAsync(string conversationId, string? bearer, string text, byte[] bytes, string type, string name)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(type);
        using var form = new MultipartFormDataContent
        {
            { new StringContent("Visitor"), "name" },
            { new StringContent("picture@example.com"), "email" },
            { new StringContent(text), "message" },
            { new StringContent(conversationId), "conversationId" },
            { file, "file", name },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=chat") { Content = form };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await _visitor.SendAsync(request);
    }

    private async Task<(JsonElement Receipt, string Token)> StartChatAsync(string email)
    {
        using var response = await PostChatAsync(new { name = "Visitor", email, message = "Hello, I need help" }, bearer: null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var receipt = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (receipt, receipt.GetProperty("visitorToken").GetString()!);
    }

    private async Task<HttpResponseMessage> PostChatAsync(object body, string? bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=chat") { Content = JsonContent.Create(body) };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await _visitor.SendAsync(request);
    }

    private async Task<HttpResponseMessage> GetWithBearerAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _visitor.SendAsync(request);
    }

    private async Task<List<JsonElement>> GetTranscriptAsync(string conversationId, string token)
    {
        using var response = await GetWithBearerAsync($"/chat/conversations/{conversationId}/messages", token);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
    }
}

/// <summary>Identity verification: a site signs its signed-in user; the host checks it on every chat message.</summary>
public sealed class ChatIdentityTests : IAsyncLifetime
{
    private const string Secret = "identity-secret-of-the-customers-site";
    private const string AgentKey = "agent-key-identity";
    private HostProcess _host = null!;

    public async Task InitializeAsync() => _host = await HostProcess.StartAsync(new Dictionary<string, string?>
    {
        [$"Crm:ApiKeys:{AgentKey}"] = "Agent",
        ["Crm:Chat:IdentitySecret"] = Secret,
        ["Crm:Chat:RequireVerifiedIdentity"] = "true",
        ["Crm:RateLimiting:ChatPermitLimit"] = "10000",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static string IdentityHash(string email, string secret = Secret) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(email.ToLowerInvariant())));

    [Fact]
    public async Task A_signed_identity_is_verified_and_unsigned_or_wrongly_signed_messages_are_403_on_every_message()
    {
        using var visitor = _host.CreateClient();
        using var agent = _host.CreateClient(AgentKey);

        using var unsigned = await visitor.PostAsJsonAsync("/tickets?channel=chat", new { email = "ada@example.com", message = "unsigned" });
        using var wrong = await visitor.PostAsJsonAsync("/tickets?channel=chat", new { email = "ada@example.com", message = "wrong", identityHash = IdentityHash("eve@example.com") });
        using var otherSecret = await visitor.PostAsJsonAsync("/tickets?channel=chat", new { email = "ada@example.com", message = "other", identityHash = IdentityHash("ada@example.com", "some-other-site-secret-value") });
        using var signed = await visitor.PostAsJsonAsync("/tickets?channel=chat", new { email = "Ada@Example.com", message = "signed", identityHash = IdentityHash("ada@example.com") });

        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherSecret.StatusCode);
        Assert.Equal(HttpStatusCode.Created, signed.StatusCode);
        var receipt = await signed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(receipt.GetProperty("identityVerified").GetBoolean());

        // A follow-up holding the right visitor token is still refused without the signature.
        using var followUp = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=chat")
        {
            Content = JsonContent.Create(new { email = "ada@example.com", message = "follow-up unsigned", conversationId = receipt.GetProperty("conversationId").GetString() }),
        };
        followUp.Headers.Authorization = new AuthenticationHeaderValue("Bearer", receipt.GetProperty("visitorToken").GetString());
        using var followUpResponse = await visitor.SendAsync(followUp);
        Assert.Equal(HttpStatusCode.Forbidden, followUpResponse.StatusCode);

        var tickets = await agent.GetFromJsonAsync<JsonElement>("/tickets?channel=chat");
        var only = Assert.Single(tickets.GetProperty("items").EnumerateArray());
        var messages = (await agent.GetFromJsonAsync<JsonElement>($"/tickets/{only.GetProperty("id").GetInt64()}")).GetProperty("messages").EnumerateArray().ToList();
        var message = Assert.Single(messages);
        Assert.Equal("signed", message.GetProperty("text").GetString());
        Assert.True(message.GetProperty("identityVerified").GetBoolean());
    }
}

/// <summary>Signed attachment links are public: the sample host rate-limits them per client like the transcript.</summary>
public sealed class SignedLinkRateLimitTests
{
    [Fact]
    public async Task Signed_attachment_links_are_rate_limited_per_client()
    {
        await using var host = await HostProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Crm:ApiKeys:agent-key-signed-limit"] = "Agent",
            ["Crm:RateLimiting:ConversationPermitLimit"] = "3",
        });
        using var visitor = host.CreateClient();
        using var agent = host.CreateClient("agent-key-signed-limit");
        using var started = await visitor.PostAsJsonAsync("/tickets?channel=chat", new { name = "Rae", email = "rae@example.com", message = "Hello" });
        var receipt = await started.Content.ReadFromJsonAsync<JsonElement>();
        var pdf = new ByteArrayContent("%PDF-1.4\n%%EOF\n"u8.ToArray());
        pdf.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        using var form = new MultipartFormDataContent { { new StringContent("A file"), "text" }, { pdf, "files", "a.pdf" } };
        using var reply = await agent.PostAsync($"/tickets/{receipt.GetProperty("id").GetInt64()}/replies", form);
        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
        var ticket = await agent.GetFromJsonAsync<JsonElement>($"/tickets/{receipt.GetProperty("id").GetInt64()}");

        // The transcript gives the signed link (one request of the allowance), then the link is fetched until refused.
        using var transcriptRequest = new HttpRequestMessage(HttpMethod.Get, $"/chat/conversations/{receipt.GetProperty("conversationId").GetString()}/messages");
        transcriptRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", receipt.GetProperty("visitorToken").GetString());
        using var transcript = await visitor.SendAsync(transcriptRequest);
        var url = (await transcript.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Last().GetProperty("attachments")[0].GetProperty("url").GetString();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var download = await visitor.GetAsync(url);
            statuses.Add(download.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, statuses[0]);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Single(ticket.GetProperty("messages").EnumerateArray().Last().GetProperty("attachments").EnumerateArray());
    }
}
