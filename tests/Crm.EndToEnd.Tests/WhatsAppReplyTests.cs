using System.Text.RegularExpressions;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Crm.EndToEnd.Tests;

/// <summary>
/// An agent answers a WhatsApp ticket through the host's outbox; a local server plays Twilio's Messages API, and the
/// test plays Twilio's signed status callbacks.
/// </summary>
public sealed class WhatsAppReplyTests : IAsyncLifetime
{
    private const string RefusedText = "Twilio will refuse this";
    private const string PublicBaseUrl = "https://crm.example.test";
    private readonly List<Dictionary<string, string>> _sent = [];
    private int _outageCallsLeft;
    private int _refusedCalls;
    private WebApplication _twilio = null!;
    private WebApplication _elsewhere = null!;
    private readonly List<string> _elsewhereRequests = [];
    private HostProcess _host = null!;

    private static string SignedUrl => PublicBaseUrl + "/tickets?channel=whatsapp";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _twilio = builder.Build();
        _twilio.MapPost("/2010-04-01/Accounts/{account}/Messages.json", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            if (Interlocked.Decrement(ref _outageCallsLeft) >= 0)
            {
                return Results.Json(new { code = 20500, message = "Internal Server Error", status = 503 }, statusCode: 503);
            }

            if (form["Body"] == RefusedText)
            {
                Interlocked.Increment(ref _refusedCalls);
                // Twilio's answer to a number that cannot receive WhatsApp messages.
                return Results.Json(new { code = 63003, message = "Channel could not find To address", status = 400 }, statusCode: 400);
            }

            lock (_sent)
            {
                _sent.Add(form.ToDictionary(f => f.Key, f => f.Value.ToString()));
                return Results.Json(new { sid = "SMreply" + _sent.Count, status = "queued" }, statusCode: 201);
            }
        });
        // Twilio's media URLs need the account's basic auth and redirect to the file itself.
        _twilio.MapGet("/2010-04-01/Accounts/{account}/Messages/{sid}/Media/{media}", (HttpContext context, string account, string media) =>
        {
            var expected = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{account}:{TwilioRequests.AuthToken}"));
            if (context.Request.Headers.Authorization != expected)
            {
                return Results.StatusCode(401);
            }

            return media switch
            {
                "ME404" => Results.NotFound(),
                // Twilio's redirect may point anywhere; credentials must not follow it.
                "MEelsewhere" => Results.Redirect($"{_elsewhere.Urls.First()}/files/{media}", permanent: false),
                _ => Results.Redirect($"/files/{media}", permanent: false, preserveMethod: true),
            };
        });
        _twilio.MapGet("/files/MEstall", async (HttpContext context) =>
        {
            // Headers never come: a media host that stalls.
            await Task.Delay(TimeSpan.FromMinutes(5), context.RequestAborted);
        });
        _twilio.MapGet("/files/MEdrip", async (HttpContext context) =>
        {
            // Headers at once, then a byte every half second: only a deadline over the body ends it.
            context.Response.ContentType = "image/jpeg";
            for (var i = 0; i < 600 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.Body.WriteAsync("x"u8.ToArray(), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(500, context.RequestAborted);
            }
        });
        _twilio.MapGet("/files/MEdrop", async (HttpContext context) =>
        {
            // The connection drops mid-body (the client sees an HttpIOException).
            context.Response.ContentType = "image/jpeg";
            context.Response.ContentLength = 100_000;
            await context.Response.Body.WriteAsync(new byte[1000], context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            context.Abort();
        });
        _twilio.MapGet("/files/{media}", (string media) => Results.Bytes(System.Text.Encoding.ASCII.GetBytes("jpeg bytes of " + media), "image/jpeg"));
        var elsewhere = WebApplication.CreateSlimBuilder();
        elsewhere.WebHost.UseUrls("http://127.0.0.1:0");
        elsewhere.Logging.ClearProviders();
        _elsewhere = elsewhere.Build();
        _elsewhere.MapGet("/{**path}", (HttpContext context) =>
        {
            lock (_elsewhereRequests)
            {
                _elsewhereRequests.Add(context.Request.Path + " authorization=" + context.Request.Headers.Authorization);
            }

            return Results.Bytes("elsewhere"u8.ToArray(), "image/jpeg");
        });
        await _elsewhere.StartAsync();
        await _twilio.StartAsync();

        var settings = WhatsAppHostFixture.WhatsAppSettings();
        settings["Crm:WhatsApp:ApiBaseUrl"] = _twilio.Urls.First();
        settings["Crm:WhatsApp:From"] = "whatsapp:+14155238886";
        settings["Crm:WhatsApp:PublicBaseUrl"] = PublicBaseUrl;
        settings["Crm:Outbox:RetryDelay"] = "00:00:00.300";
        settings["Crm:WhatsApp:MediaTimeout"] = "00:00:02";
        try
        {
            _host = await HostProcess.StartAsync(settings);
        }
        catch
        {
            await _twilio.DisposeAsync();
            await _elsewhere.DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _twilio.DisposeAsync();
        await _elsewhere.DisposeAsync();
    }

    [Fact]
    public async Task An_agent_reply_is_queued_then_sent_to_the_customers_number_with_a_status_callback()
    {
        var ticketId = await OpenWhatsAppTicketAsync("SMinbound1", "+447700900777");
        using var agent = _host.CreateClient(WhatsAppHostFixture.AgentKey);

        using var reply = await agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "We are on it!" });

        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
        var accepted = await reply.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("queued", accepted.GetProperty("deliveryStatus").GetString());
        var sentMessage = await TicketApi.WaitForDeliveryAsync(agent, ticketId, accepted.GetProperty("id").GetInt64(), "sent");
        Assert.Equal("SMreply1", sentMessage.GetProperty("externalMessageId").GetString());
        var sent = Assert.Single(SentSnapshot());
        Assert.Equal("whatsapp:+447700900777", sent["To"]);
        Assert.Equal("We are on it!", sent["Body"]);
        Assert.Equal(SignedUrl, sent["StatusCallback"]);
        var ticket = await agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}");
        Assert.Equal("pending", ticket.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Signed_status_callbacks_move_the_reply_forward_never_back_and_unsigned_ones_are_refused()
    {
        var (ticketId, messageId, sid) = await SentReplyAsync("SMinbound-status", "+447700900780");
        using var client = _host.CreateClient();
        using var agent = _host.CreateClient(WhatsAppHostFixture.AgentKey);

        using var forged = await client.SendAsync(TwilioRequests.Signed(Target, StatusCallback(sid, "read"), SignedUrl, authToken: "not-the-auth-token-at-all"));
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal("sent", (await TicketApi.MessageAsync(agent, ticketId, messageId)).GetProperty("deliveryStatus").GetString());

        await PostStatusAsync(client, sid, "delivered");
        Assert.Equal("delivered", (await TicketApi.MessageAsync(agent, ticketId, messageId)).GetProperty("deliveryStatus").GetString());
        await PostStatusAsync(client, sid, "read");
        // Twilio's callbacks can arrive out of order: a late "delivered" or "sent" must not undo "read".
        await PostStatusAsync(client, sid, "delivered");
        await PostStatusAsync(client, sid, "sent");
        Assert.Equal("read", (await TicketApi.MessageAsync(agent, ticketId, messageId)).GetProperty("deliveryStatus").GetString());
    }

    [Fact]
    public async Task A_failed_status_callback_marks_the_reply_failed_with_twilios_error_code()
    {
        var (ticketId, messageId, sid) = await SentReplyAsync("SMinbound-undelivered", "+447700900781");
        using var client = _host.CreateClient();
        using var agent = _host.CreateClient(WhatsAppHostFixture.AgentKey);

        var parameters = StatusCallback(sid, "undelivered");
        parameters["ErrorCode"] = "63016";
        using var response = await client.SendAsync(TwilioRequests.Signed(Target, parameters, SignedUrl));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = await TicketApi.MessageAsync(agent, ticketId, messageId);
        Assert.Equal("failed", message.GetProperty("deliveryStatus").GetString());
        Assert.Contains("63016", message.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_replies_bad_template_ids_and_unknown_tickets_are_refused_and_nothing_is_sent()
    {
        var ticketId = await OpenWhatsAppTicketAsync("SMinbound-neg", "+447700900778");
        using var agent = _host.CreateClient(WhatsAppHostFixture.AgentKey);

        using var empty = await agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "" });
        using var tooLong = await agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = new string('x', 4097) });
        using var badTemplate = await agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "t", contentSid = "HX123" });
        using var missing = await agent.PostAsJsonAsync("/tickets/99999/replies", new { text = "hi" });

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badTemplate.StatusCode);
        Assert.Contains("contentSid", await badTemplate.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var ticket = await agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}");
        Assert.DoesNotContain(ticket.GetProperty("messages").EnumerateArray(), m => m.GetProperty("direction").GetString() == "outbound");
        Assert.DoesNotContain(SentSnapshot(), m => m["To"] == "whatsapp:+447700900778");
    }

    [Fact]
    public async Task A_reply_twilio_refuses_is_failed_with_twilios_words_and_not_retried()
    {
        var ticketId = await OpenWhatsAppTicketAsync("SMinbound-refused", "+447700900779");
        using var agent = _host.CreateClient(WhatsAppHostFixture.AgentKey);

        using var reply = await agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = RefusedText });

        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
        var id = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var failed = await TicketApi.WaitForDeliveryAsync(agent, ticketId, id, "failed");
        Assert.Contains("Channel could not find To address", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(SentSnapshot());
        // Not retried, by the outbox (300 ms retry delay here) or the HTTP client: Twilio was asked exactly once.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(1, Volatile.Read(ref _refusedCalls));
    }

    [Fact]
    public async Task A_reply_queued_during_a_twilio_outage_is_sent_once_twilio_is_back()
    {
        var ticketId = await OpenWhatsAppTicketAsync("SMinbound-outage", "+447700900782");
        using var agent = _host.CreateClient(WhatsAppHostFixture.AgentKey);
        // More failures than the HTTP client's own retries absorb: the outbox has to come back for it.
        Volatile.Write(ref _outageCallsLeft, 6);

        using var reply = await agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "Sorry for the wait" });

        var id = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var sent = await TicketApi.WaitForDeliveryAsync(agent, ticketId, id, "sent", TimeSpan.FromSeconds(40));
        Assert.True(Volatile.Read(ref _outageCallsLeft) < 0, "Twilio was called through the whole outage");
        Assert.Single(SentSnapshot(), m => m["Body"] == "Sorry for the wait");
        Assert.StartsWith("SMreply", sent.GetProperty("externalMessageId").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_content_template_is_sent_as_contentsid_and_variables_instead_of_a_body()
    {
        var ticketId = await OpenWhatsAppTicketAsync("SMinbound-template", "+447700900783");
        using var agent = _host.CreateClient(WhatsAppHostFixture.AgentKey);
        var contentSid = "HX" + new string('a', 32);

        using var reply = await agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new
        {
            text = "Order update template",
            contentSid,
            contentVariables = new Dictionary<string, string> { ["1"] = "Ada", ["2"] = "#1042" },
        });

        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
        var id = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await TicketApi.WaitForDeliveryAsync(agent, ticketId, id, "sent");
        var sent = Assert.Single(SentSnapshot(), m => m["To"] == "whatsapp:+447700900783");
        Assert.Equal(contentSid, sent["ContentSid"]);
        Assert.Equal("""{"1":"Ada","2":"#1042"}""", sent["ContentVariables"]);
        Assert.False(sent.ContainsKey("Body"));
    }

    [Fact]
    public async Task Outside_the_24_hour_window_free_text_is_409_and_nothing_is_stored_but_a_template_goes_out()
    {
        var ticketId = await OpenWhatsAppTicketAsync("SMinbound-window", "+447700900784");
        using var agent = _host.CreateClient(WhatsAppHostFixture.AgentKey);
        // The customer's message moves 25 hours into the past, in the host's own database (dates are stored by EF's
        // DateTimeOffsetToBinaryConverter: UTC ticks / 1000, shifted left by 11 bits).
        await using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_host.DataDirectory, "crm.db")}"))
        {
            await db.OpenAsync();
            await using var command = db.CreateCommand();
            command.CommandText = "UPDATE ticket_messages SET received_at = received_at - $shift WHERE ticket_id = $ticket";
            command.Parameters.AddWithValue("$shift", (TimeSpan.FromHours(25).Ticks / 1000) << 11);
            command.Parameters.AddWithValue("$ticket", ticketId);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        using var freeText = await agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "Are you still there?" });
        using var template = await agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "Follow-up template", contentSid = "HX" + new string('b', 32) });

        Assert.Equal(HttpStatusCode.Conflict, freeText.StatusCode);
        Assert.Equal("application/problem+json", freeText.Content.Headers.ContentType?.MediaType);
        Assert.Contains("24 hours", await freeText.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, template.StatusCode);
        var id = (await template.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await TicketApi.WaitForDeliveryAsync(agent, ticketId, id, "sent");
        var outbound = (await agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}")).GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("direction").GetString() == "outbound").Select(m => m.GetProperty("text").GetString()).ToList();
        Assert.Equal(["Follow-up template"], outbound);
    }

    [Fact]
    public async Task Inbound_media_is_fetched_with_the_account_credentials_through_the_redirect_and_a_failed_fetch_is_recorded()
    {
        var parameters = TwilioRequests.InboundMessage("SMmedia1", from: "+447700900785", body: "Photos");
        var baseUrl = _twilio.Urls.First();
        parameters["NumMedia"] = "2";
        parameters["MediaUrl0"] = $"{baseUrl}/2010-04-01/Accounts/{TwilioRequests.AccountSid}/Messages/SMmedia1/Media/ME1";
        parameters["MediaContentType0"] = "image/jpeg";
        parameters["MediaUrl1"] = $"{baseUrl}/2010-04-01/Accounts/{TwilioRequests.AccountSid}/Messages/SMmedia1/Media/ME404";
        parameters["MediaContentType1"] = "image/jpeg";
        using var client = _host.CreateClient();
        using var inbound = await client.SendAsync(TwilioRequests.Signed(Target, parameters, SignedUrl));
        Assert.Equal(HttpStatusCode.OK, inbound.StatusCode);
        using var agent = _host.CreateClient(WhatsAppHostFixture.AgentKey);
        var ticketId = await OpenWhatsAppTicketAsync("SMmedia1", "+447700900785");

        var attachments = await Poll.UntilAsync(
            async () => (await agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}")).GetProperty("messages")[0].GetProperty("attachments").EnumerateArray().ToList(),
            list => list.All(a => a.GetProperty("url").GetString()!.StartsWith("/tickets/", StringComparison.Ordinal) || a.GetProperty("notKept").ValueKind == JsonValueKind.String),
            TimeSpan.FromSeconds(20),
            "both media fetched or given up");

        using var kept = await agent.GetAsync(attachments[0].GetProperty("url").GetString());
        Assert.Equal("jpeg bytes of ME1", await kept.Content.ReadAsStringAsync());
        Assert.Equal("media.jpg", attachments[0].GetProperty("fileName").GetString());
        Assert.Contains("404", attachments[1].GetProperty("notKept").GetString(), StringComparison.Ordinal);
        Assert.Equal("Photos", (await agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}")).GetProperty("messages")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Stalled_dripping_dropped_and_hostile_media_are_recorded_as_not_kept_and_later_media_is_still_fetched()
    {
        var twilio = _twilio.Urls.First();
        string Media(string sid, string media) => $"{twilio}/2010-04-01/Accounts/{TwilioRequests.AccountSid}/Messages/{sid}/Media/{media}";
        await PostMediaAsync("SMstall", "+447700900801", Media("SMstall", "MEstall"), Media("SMstall", "MEdrip"));
        await PostMediaAsync("SMdrop", "+447700900802", Media("SMdrop", "MEdrop"));
        await PostMediaAsync("SMhostile", "+447700900803", "not-a-url", "ftp://api.twilio.com/file", $"{_elsewhere.Urls.First()}/Accounts/{TwilioRequests.AccountSid}/x", "https://evil.example/media");
        await PostMediaAsync("SMredirect", "+447700900804", Media("SMredirect", "MEelsewhere"));

        // Every one of these used to end the media worker (and, without the host's second line, the host): wait until
        // the stall, the drip and the drop have each failed once, then new media must still be fetched.
        await _host.WaitForOutputAsync(o => Regex.Matches(o, "did not deliver the file within 2 seconds").Count >= 1 && o.Contains("could not be fetched", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains("could not be fetched", _host.Output, StringComparison.Ordinal);
        await PostMediaAsync("SMlater", "+447700900805", Media("SMlater", "MElater"));
        var later = await AttachmentsSettledAsync("+447700900805", TimeSpan.FromSeconds(15));
        using var agent = _host.CreateClient(WhatsAppHostFixture.AgentKey);
        Assert.Equal("jpeg bytes of MElater", await agent.GetStringAsync(later[0].GetProperty("url").GetString()));

        var hostile = await AttachmentsSettledAsync("+447700900803", TimeSpan.FromSeconds(10));
        Assert.Equal(
            ["not fetched: not an absolute URL", "not fetched: not https", "not fetched: not on an allowed media host (127.0.0.1)", "not fetched: not on an allowed media host (evil.example)"],
            hostile.Select(a => a.GetProperty("notKept").GetString()));
        var redirected = await AttachmentsSettledAsync("+447700900804", TimeSpan.FromSeconds(10));
        Assert.Equal("elsewhere", await agent.GetStringAsync(redirected[0].GetProperty("url").GetString()));
        lock (_elsewhereRequests)
        {
            // The hostile URL on that server was never asked for; the redirect was followed without the account's credentials.
            Assert.Equal(["/files/MEelsewhere authorization="], _elsewhereRequests);
        }

        Assert.False(_host.HasExited);
        Assert.DoesNotContain("BackgroundService failed", _host.Output, StringComparison.Ordinal);
    }

    private async Task PostMediaAsync(string sid, string from, params string[] urls)
    {
        var parameters = TwilioRequests.InboundMessage(sid, from: from, body: "Media");
        parameters["NumMedia"] = urls.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < urls.Length; i++)
        {
            parameters[$"MediaUrl{i}"] = urls[i];
            parameters[$"MediaContentType{i}"] = "image/jpeg";
        }

        using var client = _host.CreateClient();
        using var inbound = await client.SendAsync(TwilioRequests.Signed(Target, parameters, SignedUrl));
        Assert.Equal(HttpStatusCode.OK, inbound.StatusCode);
    }

    private async Task<List<JsonElement>> AttachmentsSettledAsync(string from, TimeSpan timeout)
    {
        using var agent = _host.CreateClient(WhatsAppHostFixture.AgentKey);
        var ticketId = await Poll.UntilAsync(
            async () => await FindTicketOfAsync(agent, from),
            id => id is not null,
            TimeSpan.FromSeconds(10),
            "the ticket of " + from);
        return await Poll.UntilAsync(
            async () => (await agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}")).GetProperty("messages")[0].GetProperty("attachments").EnumerateArray().ToList(),
            list => list.All(a => a.GetProperty("url").GetString()!.StartsWith("/tickets/", StringComparison.Ordinal) || a.GetProperty("notKept").ValueKind == JsonValueKind.String),
            timeout,
            "the media of " + from + " fetched or given up");
    }

    private static async Task<long?> FindTicketOfAsync(HttpClient agent, string phone)
    {
        var tickets = await agent.GetFromJsonAsync<JsonElement>("/tickets?channel=whatsapp&pageSize=100");
        foreach (var item in tickets.GetProperty("items").EnumerateArray())
        {
            var details = await agent.GetFromJsonAsync<JsonElement>($"/tickets/{item.GetProperty("id").GetInt64()}");
            if (details.GetProperty("contact").GetProperty("phone").GetString() == phone)
            {
                return item.GetProperty("id").GetInt64();
            }
        }

        return null;
    }

    private Uri Target => new(_host.BaseAddress, "/tickets?channel=whatsapp");

    private static Dictionary<string, string> StatusCallback(string sid, string status) => new()
    {
        ["AccountSid"] = TwilioRequests.AccountSid,
        ["MessageSid"] = sid,
        ["SmsSid"] = sid,
        ["MessageStatus"] = status,
        ["SmsStatus"] = status,
        ["To"] = "whatsapp:+447700900780",
        ["From"] = "whatsapp:+14155238886",
        ["ApiVersion"] = "2010-04-01",
    };

    private async Task PostStatusAsync(HttpClient client, string sid, string status)
    {
        using var response = await client.SendAsync(TwilioRequests.Signed(Target, StatusCallback(sid, status), SignedUrl));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_file_goes_as_one_signed_media_url_twilio_can_fetch_and_two_files_are_refused()
    {
        var ticketId = await OpenWhatsAppTicketAsync("SMfiles1", "+447700900790");
        using var agent = _host.CreateClient(WhatsAppHostFixture.AgentKey);
        var receipt = System.Text.Encoding.ASCII.GetBytes("%PDF-1.4\n% receipt\n%%EOF\n");

        using var two = new MultipartFormDataContent { { new StringContent("Two files"), "text" }, { Pdf(receipt), "files", "a.pdf" }, { Pdf(receipt), "files", "b.pdf" } };
        using var refused = await agent.PostAsync($"/tickets/{ticketId}/replies", two);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("one file per message", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var one = new MultipartFormDataContent { { new StringContent("Your receipt"), "text" }, { Pdf(receipt), "files", "receipt.pdf" } };
        using var reply = await agent.PostAsync($"/tickets/{ticketId}/replies", one);
        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
        await TicketApi.WaitForDeliveryAsync(agent, ticketId, (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64(), "sent");

        var sent = Assert.Single(SentSnapshot(), f => f.GetValueOrDefault("Body") == "Your receipt");
        Assert.DoesNotContain(SentSnapshot(), f => f.GetValueOrDefault("Body") == "Two files");
        var mediaUrl = sent["MediaUrl"];
        Assert.StartsWith(PublicBaseUrl + "/attachments/" + ticketId + "/", mediaUrl, StringComparison.Ordinal);
        // Twilio fetches it without credentials: the signed link is enough (here through the host's own address).
        using var twilio = _host.CreateClient();
        Assert.Equal(receipt, await twilio.GetByteArrayAsync(mediaUrl[PublicBaseUrl.Length..]));
    }

    private static ByteArrayContent Pdf(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/pdf");
        return content;
    }

    private async Task<(long TicketId, long MessageId, string Sid)> SentReplyAsync(string inboundSid, string from)
    {
        var ticketId = await OpenWhatsAppTicketAsync(inboundSid, from);
        using var agent = _host.CreateClient(WhatsAppHostFixture.AgentKey);
        using var reply = await agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "On its way" });
        var id = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var sent = await TicketApi.WaitForDeliveryAsync(agent, ticketId, id, "sent");
        return (ticketId, id, sent.GetProperty("externalMessageId").GetString()!);
    }

    private async Task<long> OpenWhatsAppTicketAsync(string messageSid, string from)
    {
        using var client = _host.CreateClient();
        using var inbound = await client.SendAsync(TwilioRequests.Signed(Target, TwilioRequests.InboundMessage(messageSid, from: from), SignedUrl));
        Assert.Equal(HttpStatusCode.OK, inbound.StatusCode);
        using var agent = _host.CreateClient(WhatsAppHostFixture.AgentKey);
        var tickets = await agent.GetFromJsonAsync<JsonElement>("/tickets?channel=whatsapp&pageSize=50");
        var phone = from;
        foreach (var item in tickets.GetProperty("items").EnumerateArray())
        {
            var details = await agent.GetFromJsonAsync<JsonElement>($"/tickets/{item.GetProperty("id").GetInt64()}");
            if (details.GetProperty("contact").GetProperty("phone").GetString() == phone)
            {
                return item.GetProperty("id").GetInt64();
            }
        }

        throw new InvalidOperationException($"No WhatsApp ticket for {phone}.");
    }

    private List<Dictionary<string, string>> SentSnapshot()
    {
        lock (_sent)
        {
            return [.. _sent];
        }
    }
}
