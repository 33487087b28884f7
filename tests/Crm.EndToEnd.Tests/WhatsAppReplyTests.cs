using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Crm.EndToEnd.Tests;

/// <summary>An agent answers a WhatsApp ticket through the host; a local server plays Twilio's Messages API.</summary>
public sealed class WhatsAppReplyTests : IAsyncLifetime
{
    private const string RefusedText = "Twilio will refuse this";
    private readonly List<Dictionary<string, string>> _sent = [];
    private WebApplication _twilio = null!;
    private HostProcess _host = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _twilio = builder.Build();
        _twilio.MapPost("/2010-04-01/Accounts/{account}/Messages.json", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            if (form["Body"] == RefusedText)
            {
                // Twilio's answer to a number that cannot receive WhatsApp messages.
                return Results.Json(new { code = 63003, message = "Channel could not find To address", status = 400 }, statusCode: 400);
            }

            lock (_sent)
            {
                _sent.Add(form.ToDictionary(f => f.Key, f => f.Value.ToString()));
            }

            return Results.Json(new { sid = "SMreply" + _sent.Count, status = "queued" }, statusCode: 201);
        });
        await _twilio.StartAsync();

        var settings = WhatsAppHostFixture.WhatsAppSettings();
        settings["Crm:WhatsApp:ApiBaseUrl"] = _twilio.Urls.First();
        settings["Crm:WhatsApp:From"] = "whatsapp:+14155238886";
        try
        {
            _host = await HostProcess.StartAsync(settings);
        }
        catch
        {
            await _twilio.DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _twilio.DisposeAsync();
    }

    [Fact]
    public async Task An_agent_reply_goes_to_the_customers_number_and_is_stored_on_the_ticket()
    {
        using var client = _host.CreateClient();
        using var agent = _host.CreateClient(WhatsAppHostFixture.AgentKey);
        var target = new Uri(_host.BaseAddress, "/tickets?channel=whatsapp");
        using var inbound = await client.SendAsync(TwilioRequests.Signed(target, TwilioRequests.InboundMessage("SMinbound1", from: "+447700900777"), target.ToString()));
        Assert.Equal(HttpStatusCode.OK, inbound.StatusCode);
        var ticketId = (await agent.GetFromJsonAsync<JsonElement>("/tickets?channel=whatsapp")).GetProperty("items")[0].GetProperty("id").GetInt64();

        using var reply = await agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "We are on it!" });

        Assert.Equal(HttpStatusCode.Created, reply.StatusCode);
        var sent = Assert.Single(_sent);
        Assert.Equal("whatsapp:+447700900777", sent["To"]);
        Assert.Equal("We are on it!", sent["Body"]);
        var ticket = await agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}");
        Assert.Equal("pending", ticket.GetProperty("status").GetString());
        var last = ticket.GetProperty("messages").EnumerateArray().Last();
        Assert.Equal("outbound", last.GetProperty("direction").GetString());
        Assert.Equal("SMreply1", last.GetProperty("externalMessageId").GetString());
    }

    [Fact]
    public async Task An_empty_reply_is_400_and_a_reply_to_an_unknown_ticket_404_and_nothing_is_sent()
    {
        var ticketId = await OpenWhatsAppTicketAsync("SMinbound-neg", "+447700900778");
        using var agent = _host.CreateClient(WhatsAppHostFixture.AgentKey);

        using var empty = await agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "" });
        using var missing = await agent.PostAsJsonAsync("/tickets/99999/replies", new { text = "hi" });

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.DoesNotContain(SentSnapshot(), m => m["To"] == "whatsapp:+447700900778");
    }

    [Fact]
    public async Task A_reply_twilio_refuses_is_an_error_and_is_not_recorded_as_sent()
    {
        var ticketId = await OpenWhatsAppTicketAsync("SMinbound-refused", "+447700900779");
        using var agent = _host.CreateClient(WhatsAppHostFixture.AgentKey);

        using var reply = await agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = RefusedText });

        Assert.Equal(HttpStatusCode.BadGateway, reply.StatusCode);
        Assert.Contains("63003", await reply.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var ticket = await agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}");
        Assert.DoesNotContain(ticket.GetProperty("messages").EnumerateArray(), m => m.GetProperty("direction").GetString() == "outbound");
    }

    private async Task<long> OpenWhatsAppTicketAsync(string messageSid, string from)
    {
        using var client = _host.CreateClient();
        using var agent = _host.CreateClient(WhatsAppHostFixture.AgentKey);
        var target = new Uri(_host.BaseAddress, "/tickets?channel=whatsapp");
        using var inbound = await client.SendAsync(TwilioRequests.Signed(target, TwilioRequests.InboundMessage(messageSid, from: from), target.ToString()));
        Assert.Equal(HttpStatusCode.OK, inbound.StatusCode);
        // Each test has a host of its own, so the newest WhatsApp ticket is this one.
        var tickets = await agent.GetFromJsonAsync<JsonElement>("/tickets?channel=whatsapp&pageSize=1");
        return tickets.GetProperty("items")[0].GetProperty("id").GetInt64();
    }

    private List<Dictionary<string, string>> SentSnapshot()
    {
        lock (_sent)
        {
            return [.. _sent];
        }
    }

    [Fact]
    public async Task A_reply_on_a_channel_without_a_reply_sender_is_409()
    {
        using var client = _host.CreateClient();
        using var agent = _host.CreateClient(WhatsAppHostFixture.AgentKey);
        using var chat = await client.PostAsJsonAsync("/tickets?channel=chat", new { name = "N", email = "n@example.com", message = "hi" });
        var id = (await chat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        using var reply = await agent.PostAsJsonAsync($"/tickets/{id}/replies", new { text = "Hello" });

        Assert.Equal(HttpStatusCode.Conflict, reply.StatusCode);
        Assert.Equal("application/problem+json", reply.Content.Headers.ContentType?.MediaType);
    }
}
