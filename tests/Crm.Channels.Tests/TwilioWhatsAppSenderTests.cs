using System.Net;
using System.Text;
using Crm.Channels.WhatsApp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crm.Channels.Tests;

/// <summary>The outbound client against a local Kestrel server that plays Twilio's Messages endpoint.</summary>
public sealed class TwilioWhatsAppSenderTests : IAsyncLifetime
{
    private const string AccountSid = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string AuthToken = "outbound-token-0123456789";
    private readonly List<(string Path, string? Authorization, Dictionary<string, string> Form)> _requests = [];
    private readonly Queue<(int Status, string Body)> _answers = new();
    private WebApplication _twilio = null!;
    private string _baseUrl = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _twilio = builder.Build();
        _twilio.MapPost("/2010-04-01/Accounts/{account}/Messages.json", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            lock (_requests)
            {
                _requests.Add((context.Request.Path.Value!, context.Request.Headers.Authorization.ToString(), form.ToDictionary(f => f.Key, f => f.Value.ToString())));
            }

            var (status, body) = _answers.Count > 0 ? _answers.Dequeue() : (201, "{\"sid\":\"SMdefault\",\"status\":\"queued\"}");
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        });
        await _twilio.StartAsync();
        _baseUrl = _twilio.Urls.First();
    }

    public async Task DisposeAsync() => await _twilio.DisposeAsync();

    private IWhatsAppSender CreateSender()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddCrmChannels().AddWhatsApp(o =>
        {
            o.AccountSid = AccountSid;
            o.AuthToken = AuthToken;
            o.From = "whatsapp:+14155238886";
            o.ApiBaseUrl = _baseUrl;
        });
        return services.BuildServiceProvider().GetRequiredService<IWhatsAppSender>();
    }

    [Fact]
    public async Task Sends_to_the_messages_endpoint_with_basic_auth_and_the_documented_form_fields()
    {
        _answers.Enqueue((201, "{\"sid\":\"SM123\",\"status\":\"queued\"}"));

        var result = await CreateSender().SendAsync(new WhatsAppOutboundMessage("+44 7700 900123", "Your refund is on its way"), CancellationToken.None);

        Assert.Equal(new WhatsAppSendResult("SM123", "queued"), result);
        var (path, authorization, form) = Assert.Single(_requests);
        Assert.Equal($"/2010-04-01/Accounts/{AccountSid}/Messages.json", path);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}")), authorization);
        Assert.Equal("whatsapp:+447700900123", form["To"]);
        Assert.Equal("whatsapp:+14155238886", form["From"]);
        Assert.Equal("Your refund is on its way", form["Body"]);
    }

    [Fact]
    public async Task A_429_is_retried_and_the_retry_succeeds()
    {
        _answers.Enqueue((429, "{\"code\":20429,\"message\":\"Too Many Requests\",\"status\":429}"));
        _answers.Enqueue((201, "{\"sid\":\"SM456\",\"status\":\"queued\"}"));

        var result = await CreateSender().SendAsync(new WhatsAppOutboundMessage("+447700900123", "Hello"), CancellationToken.None);

        Assert.Equal("SM456", result.MessageSid);
        Assert.Equal(2, _requests.Count);
    }

    [Fact]
    public async Task A_twilio_error_becomes_a_typed_exception_and_is_not_retried()
    {
        _answers.Enqueue((400, "{\"code\":21211,\"message\":\"The 'To' number is not a valid phone number.\",\"more_info\":\"https://www.twilio.com/docs/errors/21211\",\"status\":400}"));

        var ex = await Assert.ThrowsAsync<TwilioApiException>(() => CreateSender().SendAsync(new WhatsAppOutboundMessage("+447700900123", "Hello"), CancellationToken.None));

        Assert.Equal((int)HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal(21211, ex.ErrorCode);
        Assert.Equal("https://www.twilio.com/docs/errors/21211", ex.MoreInfo);
        Assert.Single(_requests);
    }
}
