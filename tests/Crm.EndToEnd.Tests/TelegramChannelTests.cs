using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Samples.Telegram;
using Crm.Storage.EfCore;
using Crm.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crm.EndToEnd.Tests;

/// <summary>
/// The repository's Telegram sample channel (samples/TelegramChannel) in an integrator's app on SQLite: its users have
/// no email or phone, yet a chat keeps one conversation, and agents' replies reach the chat through a typed client.
/// </summary>
public sealed class TelegramChannelTests : IAsyncLifetime
{
    private const string BotToken = "123456:test-bot-token";
    private const string Secret = "webhook-secret-for-telegram-tests";
    private readonly ConcurrentQueue<JsonElement> _sent = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("crm-telegram-").FullName;
    private WebApplication? _botApi;
    private WebApplication? _app;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        // Telegram's Bot API as the sender meets it: sendMessage answers { ok, result: { message_id } }, or refuses a
        // chat whose user blocked the bot with 403, as the real one does. Its ids continue the chat's numbering (past the updates').
        _botApi = Loopback();
        _botApi.MapPost($"/bot{BotToken}/sendMessage", async (HttpRequest request) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
            _sent.Enqueue(body);
            return body.GetProperty("chat_id").GetString() == "666"
                ? Results.Json(new { ok = false, error_code = 403, description = "Forbidden: bot was blocked by the user" }, statusCode: 403)
                : Results.Json(new { ok = true, result = new { message_id = 1000 + _sent.Count } });
        });
        await _botApi.StartAsync();

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddAuthorization();
        builder.Services.AddCrmChannels().AddTelegram(o =>
        {
            o.BotToken = BotToken;
            o.WebhookSecret = Secret;
            o.ApiBaseUrl = new Uri(_botApi.Urls.First() + "/");
        }).ConfigureReplyOutbox(o => o.RetryDelay = TimeSpan.FromMilliseconds(50));
        builder.Services.AddCrmEntityFrameworkStores(o => o.UseCrmSqlite($"Data Source={Path.Combine(_directory, "crm.db")};Pooling=False"));
        _app = builder.Build();
        await _app.Services.MigrateCrmDatabaseAsync();
        _app.MapCrmChannels().Agents.AllowAnonymous();
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_botApi is not null)
        {
            await _botApi.DisposeAsync();
        }

        HostProcess.TryDeleteDirectory(_directory);
    }

    [Fact]
    public async Task Two_messages_of_one_chat_are_one_ticket_another_chat_is_another_and_a_redelivered_update_is_stored_once()
    {
        long ticketId;
        using (var first = await PostUpdateAsync(Update(1, chat: 4242, messageId: 10, "Ada", "Lovelace", "Where is my order?")))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
            ticketId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        }

        using (var second = await PostUpdateAsync(Update(2, chat: 4242, messageId: 11, "Ada", "Lovelace", "It was due yesterday.")))
        {
            Assert.Equal(HttpStatusCode.Created, second.StatusCode);
            Assert.Equal(ticketId, (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        }

        using (var again = await PostUpdateAsync(Update(2, chat: 4242, messageId: 11, "Ada", "Lovelace", "It was due yesterday.")))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.True((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("duplicate").GetBoolean());
        }

        using (var other = await PostUpdateAsync(Update(3, chat: 5353, messageId: 10, "Grace", null, "Can I change my address?")))
        {
            Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        }

        var tickets = (await _client.GetFromJsonAsync<JsonElement>("/tickets?channel=telegram")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, tickets.Count);
        var ada = await TicketOfChatAsync("4242");
        Assert.Equal(["Where is my order?", "It was due yesterday."], ada.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()));
        Assert.All(ada.GetProperty("messages").EnumerateArray(), m => Assert.Equal("Ada Lovelace", m.GetProperty("author").GetString()));
        var contact = ada.GetProperty("contact");
        Assert.Equal(JsonValueKind.Null, contact.GetProperty("email").ValueKind);
        Assert.Equal(JsonValueKind.Null, contact.GetProperty("phone").ValueKind);
    }

    [Fact]
    public async Task An_agents_reply_goes_to_the_chat_through_the_typed_client_and_a_blocked_bot_fails_it_once_with_telegrams_reason()
    {
        using (await PostUpdateAsync(Update(20, chat: 7777, messageId: 1, "Alan", "Turing", "Is the shop open on Sunday?")))
        {
        }

        using (await PostUpdateAsync(Update(21, chat: 666, messageId: 1, "Eve", null, "Hello?")))
        {
        }

        var alan = await TicketOfChatAsync("7777");
        var eve = await TicketOfChatAsync("666");
        foreach (var (ticket, text) in new[] { (alan, "Yes, from 10 to 4."), (eve, "Hello Eve.") })
        {
            using var queued = await _client.PostAsJsonAsync($"/tickets/{ticket.GetProperty("id").GetInt64()}/replies", new { text });
            Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        }

        var sent = await WaitForReplyAsync(alan, status => status != "queued");
        Assert.True(sent.GetProperty("deliveryStatus").GetString() == "sent", sent.GetRawText());
        Assert.StartsWith("7777:", sent.GetProperty("externalMessageId").GetString(), StringComparison.Ordinal);
        var failed = await WaitForReplyAsync(eve, status => status is "failed" or "sent");
        Assert.Equal("failed", failed.GetProperty("deliveryStatus").GetString());
        Assert.Contains("Telegram answered 403: Forbidden: bot was blocked by the user", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(BotToken, failed.GetProperty("error").GetString(), StringComparison.Ordinal);

        Assert.Single(_sent, s => s.GetProperty("chat_id").GetString() == "7777" && s.GetProperty("text").GetString() == "Yes, from 10 to 4.");
        Assert.Single(_sent, s => s.GetProperty("chat_id").GetString() == "666");
    }

    [Theory]
    [InlineData(null, "{}", HttpStatusCode.Forbidden)]
    [InlineData("not-the-secret-of-this-bot", "{}", HttpStatusCode.Forbidden)]
    [InlineData(Secret, "{\"update_id\": 5, \"message\": ", HttpStatusCode.BadRequest)]
    [InlineData(Secret, "[1, 2, 3]", HttpStatusCode.BadRequest)]
    public async Task An_unsigned_forged_or_malformed_update_is_refused_with_problem_details_and_stores_nothing(string? secret, string body, HttpStatusCode expected)
    {
        var before = (await _client.GetFromJsonAsync<JsonElement>("/tickets?channel=telegram")).GetProperty("total").GetInt32();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=telegram") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (secret is not null)
        {
            request.Headers.Add(TelegramAdapter.SecretHeader, secret);
        }

        using var response = await _client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, (await _client.GetFromJsonAsync<JsonElement>("/tickets?channel=telegram")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_update_that_is_not_a_text_message_is_acknowledged_and_stores_nothing()
    {
        var before = (await _client.GetFromJsonAsync<JsonElement>("/tickets?channel=telegram")).GetProperty("total").GetInt32();

        using var response = await PostUpdateAsync("""{"update_id": 99, "edited_message": {"message_id": 1, "chat": {"id": 1}, "date": 1, "text": "edited"}}""");

        Assert.True(response.IsSuccessStatusCode, $"answered {(int)response.StatusCode}: Telegram would redeliver a refused update");
        Assert.Equal(before, (await _client.GetFromJsonAsync<JsonElement>("/tickets?channel=telegram")).GetProperty("total").GetInt32());
    }

    private async Task<HttpResponseMessage> PostUpdateAsync(string update)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=telegram") { Content = new StringContent(update, Encoding.UTF8, "application/json") };
        request.Headers.Add(TelegramAdapter.SecretHeader, Secret);
        return await _client.SendAsync(request);
    }

    private async Task<JsonElement> TicketOfChatAsync(string chat)
    {
        foreach (var item in (await _client.GetFromJsonAsync<JsonElement>("/tickets?channel=telegram")).GetProperty("items").EnumerateArray())
        {
            var details = await _client.GetFromJsonAsync<JsonElement>($"/tickets/{item.GetProperty("id").GetInt64()}");
            if (details.GetProperty("contact").GetProperty("externalIds").TryGetProperty("telegram", out var id) && id.GetString() == chat)
            {
                return details;
            }
        }

        throw new InvalidOperationException($"No ticket of chat {chat}.");
    }

    private async Task<JsonElement> WaitForReplyAsync(JsonElement ticket, Func<string?, bool> done)
        => await Poll.UntilAsync(
            async () => (await _client.GetFromJsonAsync<JsonElement>($"/tickets/{ticket.GetProperty("id").GetInt64()}")).GetProperty("messages").EnumerateArray().Last(),
            reply => reply.GetProperty("direction").GetString() == "outbound" && done(reply.GetProperty("deliveryStatus").GetString()),
            TimeSpan.FromSeconds(20),
            "the reply's delivery");

    private static string Update(long updateId, long chat, long messageId, string firstName, string? lastName, string text)
        => JsonSerializer.Serialize(new
        {
            update_id = updateId,
            message = new
            {
                message_id = messageId,
                from = new { id = chat, is_bot = false, first_name = firstName, last_name = lastName },
                chat = new { id = chat, type = "private" },
                date = 1_765_000_000 + updateId,
                text,
            },
        });

    private static WebApplication Loopback()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        return builder.Build();
    }
}
