using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Testing;

namespace Crm.EndToEnd.Tests;

public sealed class ChatIntakeTests(ChatIntakeHostFixture fixture) : IDisposable, IClassFixture<ChatIntakeHostFixture>
{
    private readonly HttpClient _public = fixture.Host.CreateClient();
    private readonly HttpClient _agent = fixture.Host.CreateClient(ChatIntakeHostFixture.AgentKey);

    public void Dispose()
    {
        _public.Dispose();
        _agent.Dispose();
    }

    [Fact]
    public async Task The_widget_script_is_served_from_the_package_with_caching_and_revalidation()
    {
        using var first = await _public.GetAsync("/widget/crm-chat.js");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("text/javascript", first.Content.Headers.ContentType?.MediaType);
        Assert.Contains("crm-chat", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var etag = first.Headers.ETag!;

        using var request = new HttpRequestMessage(HttpMethod.Get, "/widget/crm-chat.js");
        request.Headers.IfNoneMatch.Add(etag);
        using var revalidated = await _public.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
    }

    [Fact]
    public async Task A_chat_message_becomes_a_ticket_and_a_follow_up_joins_it()
    {
        var email = UniqueEmail();
        using var first = await PostChatAsync(new { name = "Ann", email, message = "My parcel is late" });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var receipt = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("chat", receipt.GetProperty("channel").GetString());
        Assert.Equal("open", receipt.GetProperty("status").GetString());
        var ticketId = receipt.GetProperty("id").GetInt64();
        var conversationId = receipt.GetProperty("conversationId").GetString();
        Assert.Equal($"/tickets/{ticketId}", first.Headers.Location?.OriginalString);

        using var followUp = await PostChatAsync(new { name = "Ann", email, message = "Any news?", conversationId }, receipt.GetProperty("visitorToken").GetString());
        Assert.Equal(HttpStatusCode.Created, followUp.StatusCode);
        Assert.Equal(ticketId, (await followUp.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());

        var ticket = await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}");
        Assert.Equal(["My parcel is late", "Any news?"], ticket.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()));
        Assert.Equal(email.ToLowerInvariant(), ticket.GetProperty("contact").GetProperty("email").GetString());
    }

    [Fact]
    public async Task Message_text_is_stored_verbatim_including_markup()
    {
        const string hostile = "<script>alert('x')</script> & <b>bold</b>";
        using var response = await PostChatAsync(new { name = "Eve", email = UniqueEmail(), message = hostile });
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var ticket = await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{id}");
        var message = ticket.GetProperty("messages")[0];
        Assert.Equal(hostile, message.GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, message.GetProperty("html").ValueKind);
    }

    [Fact]
    public async Task Malformed_json_is_400_problem_details_and_stores_nothing()
    {
        await AssertRefusedAndNothingStoredAsync(
            () => _public.PostAsync("/tickets?channel=chat", new StringContent("{\"message\": ", Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Wrongly_typed_fields_are_400()
    {
        await AssertRefusedAndNothingStoredAsync(
            () => _public.PostAsync("/tickets?channel=chat", new StringContent("{\"name\":\"A\",\"email\":\"a@example.com\",\"message\":42}", Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Problem_details_for_wrongly_typed_json_name_the_path_not_dotnet_types()
    {
        using var response = await PostChatAsync(new { name = new[] { 1, 2 }, email = UniqueEmail(), message = 5 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("$.name", body, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Crm.", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\u200B\u200B\u200D")]
    [InlineData("\uFEFF\u2060 \u00AD\u3164")]
    public async Task A_message_of_only_invisible_characters_is_400_and_stores_nothing(string message)
    {
        await AssertRefusedAndNothingStoredAsync(() => PostChatAsync(new { name = "Ann", email = UniqueEmail(), message }), HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("/tickets?page=0")]
    [InlineData("/tickets?page=1000001")]
    [InlineData("/tickets?page=2147483647&pageSize=200")]
    [InlineData("/contacts?page=2147483647&pageSize=200")]
    public async Task A_page_beyond_the_range_is_400_not_a_wrapped_offset(string path)
    {
        using var marketing = fixture.Host.CreateClient(ChatIntakeHostFixture.MarketingKey);

        using var response = await marketing.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Pages are 1 to 1000000", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_message_or_invalid_email_is_400_naming_the_fields()
    {
        using var response = await PostChatAsync(new { name = "A", email = "nope", message = " " });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("message", out _));
        Assert.True(errors.TryGetProperty("email", out _));
    }

    [Fact]
    public async Task A_message_over_the_length_limit_is_400_and_stores_nothing()
    {
        await AssertRefusedAndNothingStoredAsync(
            () => PostChatAsync(new { name = "A", email = UniqueEmail(), message = new string('x', 10_001) }),
            HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_413_and_stores_nothing()
    {
        await AssertRefusedAndNothingStoredAsync(
            () => PostChatAsync(new { name = new string('n', 70_000), email = UniqueEmail(), message = "hi" }),
            HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415()
    {
        await AssertRefusedAndNothingStoredAsync(
            () => _public.PostAsync("/tickets?channel=chat", new StringContent("name=A&message=hi", Encoding.UTF8, "application/x-www-form-urlencoded")),
            HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task An_unknown_channel_is_404_problem_details()
    {
        using var response = await _public.PostAsync("/tickets?channel=telegram", JsonContent.Create(new { message = "hi" }));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("telegram", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_channel_is_400()
    {
        using var response = await _public.PostAsync("/tickets", JsonContent.Create(new { message = "hi" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Agents_endpoints_need_a_valid_api_key()
    {
        using var anonymous = await _public.GetAsync("/tickets");
        using var forged = fixture.Host.CreateClient("not-a-key");
        using var withForgedKey = await forged.GetAsync("/tickets");
        using var marketing = fixture.Host.CreateClient(ChatIntakeHostFixture.MarketingKey);
        using var asMarketing = await marketing.GetAsync("/tickets");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, withForgedKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, asMarketing.StatusCode);
    }

    [Fact]
    public async Task Tickets_list_filters_by_channel_and_status_and_pages()
    {
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            using var created = await PostChatAsync(new { name = "Pager", email = UniqueEmail(), message = $"Message {i}" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            ids.Add((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        }

        // One of them solved: the "open" filter must leave it out, the "solved" filter must find it.
        using (var solve = await _agent.PatchAsJsonAsync($"/tickets/{ids[0]}", new { status = "solved" }))
        {
            Assert.Equal(HttpStatusCode.OK, solve.StatusCode);
        }

        var first = await _agent.GetFromJsonAsync<JsonElement>("/tickets?channel=chat&status=open&page=1&pageSize=2");
        var second = await _agent.GetFromJsonAsync<JsonElement>("/tickets?channel=chat&status=open&page=2&pageSize=2");
        var firstItems = first.GetProperty("items").EnumerateArray().ToList();
        var secondItems = second.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, firstItems.Count);
        Assert.Equal(first.GetProperty("total").GetInt32(), second.GetProperty("total").GetInt32());
        Assert.Equal(Math.Min(2, first.GetProperty("total").GetInt32() - 2), secondItems.Count);
        Assert.All(firstItems.Concat(secondItems), t =>
        {
            Assert.Equal("chat", t.GetProperty("channel").GetString());
            Assert.Equal("open", t.GetProperty("status").GetString());
        });
        Assert.Empty(firstItems.Select(t => t.GetProperty("id").GetInt64()).Intersect(secondItems.Select(t => t.GetProperty("id").GetInt64())));
        Assert.Contains(ids[2], firstItems.Select(t => t.GetProperty("id").GetInt64()));

        var solved = await _agent.GetFromJsonAsync<JsonElement>("/tickets?channel=chat&status=solved&pageSize=200");
        Assert.Contains(ids[0], solved.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetInt64()));
        Assert.All(solved.GetProperty("items").EnumerateArray(), t => Assert.Equal("solved", t.GetProperty("status").GetString()));

        var none = await _agent.GetFromJsonAsync<JsonElement>("/tickets?channel=whatsapp");
        Assert.Equal(0, none.GetProperty("total").GetInt32());

        using var badStatus = await _agent.GetAsync("/tickets?status=sleeping");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
        using var badPage = await _agent.GetAsync("/tickets?pageSize=5000");
        Assert.Equal(HttpStatusCode.BadRequest, badPage.StatusCode);
    }

    [Fact]
    public async Task An_agent_solves_a_ticket_and_the_customer_reply_reopens_it()
    {
        using var created = await PostChatAsync(new { name = "Rita", email = UniqueEmail(), message = "Question" });
        var receipt = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = receipt.GetProperty("id").GetInt64();

        using var solve = await _agent.PatchAsJsonAsync($"/tickets/{id}", new { status = "solved" });
        Assert.Equal(HttpStatusCode.OK, solve.StatusCode);
        Assert.Equal("solved", (await solve.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        using var reply = await PostChatAsync(
            new { name = "Rita", email = "x@example.com", message = "Not fixed", conversationId = receipt.GetProperty("conversationId").GetString() },
            receipt.GetProperty("visitorToken").GetString());
        var replyReceipt = await reply.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(id, replyReceipt.GetProperty("id").GetInt64());
        Assert.Equal("open", replyReceipt.GetProperty("status").GetString());

        using var badStatus = await _agent.PatchAsJsonAsync($"/tickets/{id}", new { status = "gone" });
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
    }

    [Fact]
    public async Task An_unknown_ticket_is_404()
    {
        using var response = await _agent.GetAsync("/tickets/987654321");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<HttpResponseMessage> PostChatAsync(object body, string? visitorToken = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=chat") { Content = JsonContent.Create(body) };
        if (visitorToken is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", visitorToken);
        }

        return await _public.SendAsync(request);
    }

    private static string UniqueEmail() => $"Visitor-{Guid.NewGuid():N}@Example.com";

    private async Task AssertRefusedAndNothingStoredAsync(Func<Task<HttpResponseMessage>> send, HttpStatusCode expected)
    {
        // Other tests in this class write concurrently only when xunit runs them in parallel, which it does not within a class.
        var before = (await _agent.GetFromJsonAsync<JsonElement>("/tickets?pageSize=1")).GetProperty("total").GetInt32();

        using var response = await send();

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var after = (await _agent.GetFromJsonAsync<JsonElement>("/tickets?pageSize=1")).GetProperty("total").GetInt32();
        Assert.Equal(before, after);
    }
}

public sealed class ChatRateLimitTests : IAsyncLifetime
{
    private HostProcess _host = null!;

    public async Task InitializeAsync()
        => _host = await HostProcess.StartAsync(new Dictionary<string, string?> { ["Crm:RateLimiting:ChatPermitLimit"] = "3", ["Crm:RateLimiting:ChatWindowSeconds"] = "600" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_visitor_over_the_limit_gets_429_problem_details_with_retry_after()
    {
        using var client = _host.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.PostAsJsonAsync("/tickets?channel=chat", new { name = "Spam", email = "spam@example.com", message = $"#{i}" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.True(response.Headers.RetryAfter is not null);
            }
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], statuses);
    }
}
