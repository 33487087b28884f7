using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Crm.Contacts;

namespace Crm.Channels.WhatsApp;

/// <summary>
/// <see cref="IWhatsAppSender"/> over Twilio's REST API: <c>POST {ApiBaseUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json</c>,
/// HTTP basic auth with the account SID and auth token, form fields <c>To</c>, <c>From</c> or
/// <c>MessagingServiceSid</c>, <c>Body</c> and <c>MediaUrl</c>. Retries on 429 and 5xx come from the
/// resilience handler on the named <see cref="HttpClient"/> <see cref="HttpClientName"/>.
/// </summary>
public sealed class TwilioWhatsAppSender : IWhatsAppSender
{
    /// <summary>The name of the <see cref="HttpClient"/> it uses; add handlers to it with <c>AddHttpClient(HttpClientName)</c>.</summary>
    public const string HttpClientName = "Crm.Channels.WhatsApp.Twilio";

    private readonly IHttpClientFactory _clients;
    private readonly WhatsAppAccounts _accounts;

    /// <summary>Creates the sender.</summary>
    public TwilioWhatsAppSender(IHttpClientFactory clients, WhatsAppAccounts accounts)
    {
        _clients = clients;
        _accounts = accounts;
    }

    /// <inheritdoc />
    public async Task<WhatsAppSendResult> SendAsync(WhatsAppOutboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var options = _accounts.Get(message.Account ?? Microsoft.Extensions.Options.Options.DefaultName);
        var to = ContactIdentity.NormalizePhone(message.To)
            ?? throw new ArgumentException($"'{message.To}' is not an international phone number.", nameof(message));
        if (string.IsNullOrWhiteSpace(message.Body) && message.MediaUrls is not { Count: > 0 } && message.ContentSid is null)
        {
            throw new ArgumentException("A message needs a body, media or a template.", nameof(message));
        }

        var fields = new List<KeyValuePair<string, string>> { new("To", "whatsapp:" + to) };
        if (message.ContentSid is { } contentSid)
        {
            fields.Add(new("ContentSid", contentSid));
            if (message.ContentVariables is { } variables)
            {
                fields.Add(new("ContentVariables", variables));
            }
        }
        else
        {
            fields.Add(new("Body", message.Body));
        }

        if (message.StatusCallback is { } statusCallback)
        {
            fields.Add(new("StatusCallback", statusCallback.AbsoluteUri));
        }

        if (!string.IsNullOrEmpty(options.MessagingServiceSid))
        {
            fields.Add(new("MessagingServiceSid", options.MessagingServiceSid));
        }
        else if (!string.IsNullOrEmpty(options.From))
        {
            fields.Add(new("From", options.From.StartsWith("whatsapp:", StringComparison.Ordinal) ? options.From : "whatsapp:" + options.From));
        }
        else
        {
            throw new InvalidOperationException("Set WhatsAppOptions.From or MessagingServiceSid to send WhatsApp messages.");
        }

        foreach (var media in message.MediaUrls ?? [])
        {
            fields.Add(new("MediaUrl", media.AbsoluteUri));
        }

        var uri = new Uri($"{options.ApiBaseUrl.TrimEnd('/')}/2010-04-01/Accounts/{Uri.EscapeDataString(options.AccountSid)}/Messages.json");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.AccountSid}:{options.AuthToken}")));

        var client = _clients.CreateClient(HttpClientName);
        using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw ToException((int)response.StatusCode, body);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var sid = document.RootElement.GetProperty("sid").GetString() ?? throw new JsonException("sid is null");
            var status = document.RootElement.TryGetProperty("status", out var s) ? s.GetString() ?? "" : "";
            return new WhatsAppSendResult(sid, status);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new TwilioApiException((int)response.StatusCode, null, "Twilio's answer has no message sid: " + ex.Message, null);
        }
    }

    private static TwilioApiException ToException(int status, string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            int? code = root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : null;
            var message = root.TryGetProperty("message", out var m) ? m.GetString() ?? "" : body;
            var moreInfo = root.TryGetProperty("more_info", out var i) ? i.GetString() : null;
            return new TwilioApiException(status, code, message, moreInfo);
        }
        catch (JsonException)
        {
            return new TwilioApiException(status, null, body.Length > 200 ? body[..200] : body, null);
        }
    }
}
