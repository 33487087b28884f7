using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Crm.Testing;

namespace Crm.EndToEnd.Tests;

public sealed class WhatsAppHostFixture : IAsyncLifetime
{
    public const string AgentKey = "agent-key-whatsapp";

    public HostProcess Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await HostProcess.StartAsync(WhatsAppSettings());

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public static Dictionary<string, string?> WhatsAppSettings() => new()
    {
        [$"Crm:ApiKeys:{AgentKey}"] = "Agent",
        ["Crm:WhatsApp:AccountSid"] = TwilioRequests.AccountSid,
        ["Crm:WhatsApp:AuthToken"] = TwilioRequests.AuthToken,
    };
}

public sealed class WhatsAppIntakeTests(WhatsAppHostFixture fixture) : IDisposable, IClassFixture<WhatsAppHostFixture>
{
    private readonly HttpClient _client = fixture.Host.CreateClient();
    private readonly HttpClient _agent = fixture.Host.CreateClient(WhatsAppHostFixture.AgentKey);

    public void Dispose()
    {
        _client.Dispose();
        _agent.Dispose();
    }

    private Uri Target => new(fixture.Host.BaseAddress, "/tickets?channel=whatsapp");

    [Fact]
    public async Task A_signed_webhook_becomes_a_whatsapp_ticket_answered_with_empty_twiml()
    {
        var sid = NewSid();
        var parameters = TwilioRequests.InboundMessage(sid, from: "+447700900001", body: "Is my order shipped?");

        using var response = await _client.SendAsync(TwilioRequests.Signed(Target, parameters, Target.ToString()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<Response/>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var message = await FindMessageAsync(sid);
        Assert.NotNull(message);
        Assert.Equal("Is my order shipped?", message.Value.Message.GetProperty("text").GetString());
        var ticket = await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{message.Value.TicketId}");
        Assert.Equal("whatsapp", ticket.GetProperty("channel").GetString());
        Assert.Equal("+447700900001", ticket.GetProperty("contact").GetProperty("phone").GetString());
        Assert.Equal("Carla", ticket.GetProperty("contact").GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_redelivered_message_sid_is_answered_2xx_and_stored_once()
    {
        var sid = NewSid();
        var parameters = TwilioRequests.InboundMessage(sid, from: "+447700900002");

        using var first = await _client.SendAsync(TwilioRequests.Signed(Target, parameters, Target.ToString()));
        using var second = await _client.SendAsync(TwilioRequests.Signed(Target, parameters, Target.ToString()));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var ticket = await TicketOfAsync(sid);
        Assert.Single(ticket.GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task Messages_from_one_number_join_its_open_ticket_and_carry_media()
    {
        var first = TwilioRequests.InboundMessage(NewSid(), from: "+447700900003", body: "Photo of the damage follows");
        var second = TwilioRequests.InboundMessage(NewSid(), from: "+447700900003", body: "");
        second["NumMedia"] = "1";
        second["MediaUrl0"] = "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages/MM1/Media/ME1";
        second["MediaContentType0"] = "image/jpeg";

        using var r1 = await _client.SendAsync(TwilioRequests.Signed(Target, first, Target.ToString()));
        using var r2 = await _client.SendAsync(TwilioRequests.Signed(Target, second, Target.ToString()));

        Assert.Equal(HttpStatusCode.OK, r2.StatusCode);
        var ticket = await TicketOfAsync(first["MessageSid"]);
        var messages = ticket.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(2, messages.Count);
        var media = Assert.Single(messages[1].GetProperty("attachments").EnumerateArray());
        Assert.Equal("image/jpeg", media.GetProperty("contentType").GetString());
        Assert.EndsWith("/Media/ME1", media.GetProperty("url").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unsigned_webhook_is_403_and_stores_nothing()
    {
        var sid = NewSid();
        using var request = new HttpRequestMessage(HttpMethod.Post, Target) { Content = new FormUrlEncodedContent(TwilioRequests.InboundMessage(sid)) };

        using var response = await _client.SendAsync(request);

        await AssertForbiddenAndAbsentAsync(response, sid);
    }

    [Fact]
    public async Task A_webhook_signed_with_another_token_is_403_and_stores_nothing()
    {
        var sid = NewSid();
        using var response = await _client.SendAsync(TwilioRequests.Signed(Target, TwilioRequests.InboundMessage(sid), Target.ToString(), authToken: "someone-elses-token-123"));

        await AssertForbiddenAndAbsentAsync(response, sid);
    }

    [Fact]
    public async Task A_tampered_body_is_403_and_stores_nothing()
    {
        var sid = NewSid();
        var parameters = TwilioRequests.InboundMessage(sid);
        var signature = TwilioRequests.Sign(Target.ToString(), parameters);
        parameters["Body"] = "Send the refund to my other account";
        using var request = new HttpRequestMessage(HttpMethod.Post, Target) { Content = new FormUrlEncodedContent(parameters) };
        request.Headers.Add("X-Twilio-Signature", signature);

        using var response = await _client.SendAsync(request);

        await AssertForbiddenAndAbsentAsync(response, sid);
    }

    [Fact]
    public async Task A_signature_for_another_url_is_403_and_stores_nothing()
    {
        var sid = NewSid();
        using var response = await _client.SendAsync(TwilioRequests.Signed(Target, TwilioRequests.InboundMessage(sid), "https://attacker.example/tickets?channel=whatsapp"));

        await AssertForbiddenAndAbsentAsync(response, sid);
    }

    [Fact]
    public async Task The_json_variant_is_verified_by_its_body_hash()
    {
        var sid = NewSid();
        var json = JsonSerializer.Serialize(TwilioRequests.InboundMessage(sid, from: "+447700900005", body: "JSON hello"));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
        var url = new Uri(fixture.Host.BaseAddress, $"/tickets?channel=whatsapp&bodySHA256={hash}");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Twilio-Signature", TwilioRequests.Sign(url.ToString(), new Dictionary<string, string>()));

        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(await FindMessageAsync(sid));

        var tamperedJson = json.Replace("JSON hello", "JSON evil", StringComparison.Ordinal);
        using var tampered = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(tamperedJson, Encoding.UTF8, "application/json") };
        tampered.Headers.Add("X-Twilio-Signature", TwilioRequests.Sign(url.ToString(), new Dictionary<string, string>()));
        using var refused = await _client.SendAsync(tampered);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Theory]
    [InlineData("NumMedia", "lots")]
    [InlineData("From", "whatsapp:not-a-number")]
    [InlineData("From", "")]
    [InlineData("MessageSid", "")]
    public async Task A_signed_but_malformed_webhook_is_400_and_stores_nothing(string field, string value)
    {
        var sid = NewSid();
        var parameters = TwilioRequests.InboundMessage(sid);
        parameters[field] = value;
        // The number also travels as WaId, the id as SmsMessageSid: take the fallback away too.
        parameters.Remove(field == "From" ? "WaId" : field == "MessageSid" ? "SmsMessageSid" : "");

        using var response = await _client.SendAsync(TwilioRequests.Signed(Target, parameters, Target.ToString()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(await FindMessageAsync(sid));
    }

    private async Task AssertForbiddenAndAbsentAsync(HttpResponseMessage response, string sid)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(await FindMessageAsync(sid));
    }

    private async Task<JsonElement> TicketOfAsync(string sid)
    {
        var found = await FindMessageAsync(sid) ?? throw new InvalidOperationException($"{sid} was not stored");
        return await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{found.TicketId}");
    }

    private async Task<(long TicketId, JsonElement Message)?> FindMessageAsync(string sid)
    {
        foreach (var ticket in await TicketApi.AllTicketsAsync(_agent, "whatsapp"))
        {
            var id = ticket.GetProperty("id").GetInt64();
            var details = await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{id}");
            foreach (var message in details.GetProperty("messages").EnumerateArray())
            {
                if (message.GetProperty("externalMessageId").GetString() == sid)
                {
                    return (id, message);
                }
            }
        }

        return null;
    }

    private static string NewSid() => "SM" + Guid.NewGuid().ToString("N");
}

public sealed class WhatsAppBehindProxyTests
{
    [Fact]
    public async Task With_a_public_base_url_the_signature_of_the_public_url_is_accepted_and_the_local_one_is_not()
    {
        var settings = WhatsAppHostFixture.WhatsAppSettings();
        settings["Crm:WhatsApp:PublicBaseUrl"] = "https://crm.example.com/support";
        await using var host = await HostProcess.StartAsync(settings);
        using var client = host.CreateClient();
        var target = new Uri(host.BaseAddress, "/tickets?channel=whatsapp");

        using var accepted = await client.SendAsync(TwilioRequests.Signed(target, TwilioRequests.InboundMessage("SM" + Guid.NewGuid().ToString("N")), "https://crm.example.com/support/tickets?channel=whatsapp"));
        using var acceptedWithPort = await client.SendAsync(TwilioRequests.Signed(target, TwilioRequests.InboundMessage("SM" + Guid.NewGuid().ToString("N")), "https://crm.example.com:443/support/tickets?channel=whatsapp"));
        using var refused = await client.SendAsync(TwilioRequests.Signed(target, TwilioRequests.InboundMessage("SM" + Guid.NewGuid().ToString("N")), target.ToString()));

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, acceptedWithPort.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task Forwarded_scheme_and_host_count_only_from_a_trusted_proxy()
    {
        const string publicUrl = "https://crm.example.com/tickets?channel=whatsapp";
        var trusting = WhatsAppHostFixture.WhatsAppSettings();
        trusting["Crm:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1";
        await using var trustingHost = await HostProcess.StartAsync(trusting);
        await using var distrustingHost = await HostProcess.StartAsync(WhatsAppHostFixture.WhatsAppSettings());

        HttpRequestMessage ViaProxy(HostProcess host)
        {
            var request = TwilioRequests.Signed(new Uri(host.BaseAddress, "/tickets?channel=whatsapp"), TwilioRequests.InboundMessage("SM" + Guid.NewGuid().ToString("N")), publicUrl);
            request.Headers.Add("X-Forwarded-Proto", "https");
            request.Headers.Add("X-Forwarded-Host", "crm.example.com");
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
            return request;
        }

        using var trustingClient = trustingHost.CreateClient();
        using var distrustingClient = distrustingHost.CreateClient();
        using var accepted = await trustingClient.SendAsync(ViaProxy(trustingHost));
        using var refused = await distrustingClient.SendAsync(ViaProxy(distrustingHost));

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
