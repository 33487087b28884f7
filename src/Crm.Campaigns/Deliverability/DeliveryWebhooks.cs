using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Campaigns.Deliverability;

/// <summary>
/// <c>POST /bulk-email/webhooks/{provider}</c>: each provider's documented format and authentication (SNS certificate
/// signatures for SES, ECDSA for SendGrid, HMAC with a fresh token for Mailgun, basic auth for Postmark, HMAC for the
/// generic format). Unsigned or forged requests are 401, stale or replayed ones and foreign SNS topics 403, and nothing
/// changes; each accepted event id is applied once.
/// </summary>
internal sealed partial class DeliveryWebhooks(
    IOptions<WebhookOptions> options,
    DeliveryEvents events,
    IDeliveryEventStore store,
    SnsCertificates certificates,
    IHttpClientFactory clients,
    TimeProvider time,
    ILogger<DeliveryWebhooks> logger)
{
    private WebhookOptions Settings => options.Value;

    public async Task<IResult> HandleAsync(string provider, byte[] body, HttpRequest request, CancellationToken cancellationToken)
    {
        // Which webhook first: an unknown one is 404 whatever its body; then the body.
        Func<JsonElement, Task<IResult>>? handler = provider switch
        {
            "ses" when Settings.Ses.AllowedTopicArns.Count > 0 => root => SesAsync(root, cancellationToken),
            "sendgrid" when !string.IsNullOrEmpty(Settings.SendGrid.PublicKey) => root => SendGridAsync(root, body, request, cancellationToken),
            "mailgun" when !string.IsNullOrEmpty(Settings.Mailgun.SigningKey) => root => MailgunAsync(root, cancellationToken),
            "postmark" when !string.IsNullOrEmpty(Settings.Postmark.UserName) => root => PostmarkAsync(root, request, cancellationToken),
            "generic" when !string.IsNullOrEmpty(Settings.Generic.Secret) => root => GenericAsync(root, cancellationToken),
            _ => null,
        };
        if (handler is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown webhook", detail: $"No webhook named '{(provider.Length > 32 ? provider[..32] : provider)}' is configured on this server.");
        }

        // The generic webhook signs the raw body: checked before a byte of it is parsed.
        if (provider == "generic" && GenericRefusal(body, request) is { } refused)
        {
            return refused;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return await handler(document.RootElement).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed webhook", detail: "The body is not the provider's documented JSON format.");
        }
    }

    // ---- Amazon SES through SNS --------------------------------------------------------------------------------

    private async Task<IResult> SesAsync(JsonElement sns, CancellationToken cancellationToken)
    {
        var type = sns.GetProperty("Type").GetString();
        var fields = type == "Notification"
            ? new[] { "Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type" }
            : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
        var signed = new StringBuilder();
        foreach (var field in fields)
        {
            // Subject is signed only when the message has one.
            if (sns.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String)
            {
                signed.Append(field).Append('\n').Append(value.GetString()).Append('\n');
            }
        }

        var certificate = await certificates.GetAsync(Text(sns, "SigningCertURL"), cancellationToken).ConfigureAwait(false);
        using var rsa = certificate?.GetRSAPublicKey();
        var hash = Text(sns, "SignatureVersion") == "2" ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA1;
        if (rsa is null || !TryBase64(Text(sns, "Signature"), out var signature)
            || !rsa.VerifyData(Encoding.UTF8.GetBytes(signed.ToString()), signature, hash, RSASignaturePadding.Pkcs1))
        {
            return Refused(StatusCodes.Status401Unauthorized, "ses", "the SNS signature does not verify against an allowed certificate");
        }

        var topic = Text(sns, "TopicArn");
        if (!Settings.Ses.AllowedTopicArns.Contains(topic ?? "", StringComparer.Ordinal))
        {
            return Refused(StatusCodes.Status403Forbidden, "ses", $"topic {topic} is not in AllowedTopicArns");
        }

        if (IsStale(DateTimeOffset.Parse(Text(sns, "Timestamp")!, CultureInfo.InvariantCulture)) || !await store.TryRememberAsync("ses", Text(sns, "MessageId")!, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            return Refused(StatusCodes.Status403Forbidden, "ses", "stale or replayed SNS message");
        }

        if (type == "SubscriptionConfirmation")
        {
            var subscribe = Text(sns, "SubscribeURL");
            if (subscribe is null || !Regex.IsMatch(subscribe, Settings.Ses.SubscribeUrlPattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))
            {
                return Refused(StatusCodes.Status403Forbidden, "ses", "the SubscribeURL is not an SNS address");
            }

            using var confirmed = await clients.CreateClient(SnsCertificates.HttpClientName).GetAsync(subscribe, cancellationToken).ConfigureAwait(false);
            LogSubscribed(logger, topic!, (int)confirmed.StatusCode);
            return Results.Ok(new { confirmed = confirmed.IsSuccessStatusCode });
        }

        if (type != "Notification")
        {
            return Results.Ok(new { applied = 0 });
        }

        using var message = JsonDocument.Parse(Text(sns, "Message")!);
        var ses = message.RootElement;
        var kind = Text(ses, "notificationType") ?? Text(ses, "eventType");
        var messageId = SesMessageId(ses);
        var applied = 0;
        if (kind == "Bounce")
        {
            var bounce = ses.GetProperty("bounce");
            var bounceKind = Text(bounce, "bounceType") == "Permanent" ? DeliveryEventKind.HardBounce : DeliveryEventKind.SoftBounce;
            foreach (var recipient in bounce.GetProperty("bouncedRecipients").EnumerateArray())
            {
                applied += await ApplyAsync(bounceKind, Text(recipient, "emailAddress"), "ses", $"{Text(bounce, "bounceType")}/{Text(bounce, "bounceSubType")} {Text(recipient, "diagnosticCode")}", messageId, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (kind == "Complaint")
        {
            var complaint = ses.GetProperty("complaint");
            foreach (var recipient in complaint.GetProperty("complainedRecipients").EnumerateArray())
            {
                applied += await ApplyAsync(DeliveryEventKind.Complaint, Text(recipient, "emailAddress"), "ses", Text(complaint, "complaintFeedbackType"), messageId, cancellationToken).ConfigureAwait(false);
            }
        }

        return Results.Ok(new { applied });
    }

    private static string? SesMessageId(JsonElement ses)
    {
        if (!ses.TryGetProperty("mail", out var mail))
        {
            return null;
        }

        if (mail.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Array)
        {
            foreach (var header in headers.EnumerateArray())
            {
                if (string.Equals(Text(header, "name"), "Message-ID", StringComparison.OrdinalIgnoreCase))
                {
                    return Text(header, "value");
                }
            }
        }

        return mail.TryGetProperty("commonHeaders", out var common) ? Text(common, "messageId") : null;
    }

    // ---- SendGrid ----------------------------------------------------------------------------------------------

    private async Task<IResult> SendGridAsync(JsonElement batch, byte[] body, HttpRequest request, CancellationToken cancellationToken)
    {
        var timestamp = request.Headers["X-Twilio-Email-Event-Webhook-Timestamp"].ToString();
        using var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(Settings.SendGrid.PublicKey!), out _);
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            throw new InvalidOperationException("The SendGrid PublicKey is not a base64 ECDSA public key.", ex);
        }

        if (!TryBase64(request.Headers["X-Twilio-Email-Event-Webhook-Signature"].ToString(), out var signature)
            || timestamp.Length == 0
            || !ecdsa.VerifyData((byte[])[.. Encoding.UTF8.GetBytes(timestamp), .. body], signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))
        {
            return Refused(StatusCodes.Status401Unauthorized, "sendgrid", "the Event Webhook signature does not verify");
        }

        if (IsStale(UnixTime(timestamp)))
        {
            return Refused(StatusCodes.Status403Forbidden, "sendgrid", "stale timestamp");
        }

        var applied = 0;
        foreach (var item in batch.EnumerateArray())
        {
            DeliveryEventKind? kind = Text(item, "event") switch
            {
                "bounce" => Text(item, "type") == "blocked" ? DeliveryEventKind.SoftBounce : DeliveryEventKind.HardBounce,
                "spamreport" => DeliveryEventKind.Complaint,
                _ => null,
            };
            if (kind is null || !await store.TryRememberAsync("sendgrid", Text(item, "sg_event_id") ?? "", time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            applied += await ApplyAsync(kind.Value, Text(item, "email"), "sendgrid", Text(item, "reason"), Text(item, "smtp-id"), cancellationToken).ConfigureAwait(false);
        }

        return Results.Ok(new { applied });
    }

    // ---- Mailgun -----------------------------------------------------------------------------------------------

    private async Task<IResult> MailgunAsync(JsonElement root, CancellationToken cancellationToken)
    {
        var signature = root.GetProperty("signature");
        var timestamp = Text(signature, "timestamp") ?? "";
        var token = Text(signature, "token") ?? "";
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Settings.Mailgun.SigningKey!), Encoding.UTF8.GetBytes(timestamp + token));
        if (!TryHex(Text(signature, "signature"), out var presented) || !CryptographicOperations.FixedTimeEquals(expected, presented))
        {
            return Refused(StatusCodes.Status401Unauthorized, "mailgun", "the signature does not verify");
        }

        // Mailgun's token is single use: a captured request sent again is refused even within the time window.
        if (IsStale(UnixTime(timestamp)) || !await store.TryRememberAsync("mailgun", "token:" + token, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            return Refused(StatusCodes.Status403Forbidden, "mailgun", "stale timestamp or replayed token");
        }

        var data = root.GetProperty("event-data");
        DeliveryEventKind? kind = Text(data, "event") switch
        {
            "failed" => Text(data, "severity") == "permanent" ? DeliveryEventKind.HardBounce : DeliveryEventKind.SoftBounce,
            "complained" => DeliveryEventKind.Complaint,
            _ => null,
        };
        var messageId = data.TryGetProperty("message", out var message) && message.TryGetProperty("headers", out var headers) ? Text(headers, "message-id") : null;
        var applied = kind is null ? 0 : await ApplyAsync(kind.Value, Text(data, "recipient"), "mailgun", Text(data, "reason"), messageId, cancellationToken).ConfigureAwait(false);
        return Results.Ok(new { applied });
    }

    // ---- Postmark ----------------------------------------------------------------------------------------------

    private async Task<IResult> PostmarkAsync(JsonElement record, HttpRequest request, CancellationToken cancellationToken)
    {
        var header = request.Headers.Authorization.ToString();
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Settings.Postmark.UserName}:{Settings.Postmark.Password}"));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header), Encoding.UTF8.GetBytes(expected)))
        {
            return Refused(StatusCodes.Status401Unauthorized, "postmark", "wrong or missing basic-auth credentials");
        }

        var recordType = Text(record, "RecordType");
        DeliveryEventKind? kind = recordType switch
        {
            "Bounce" when Text(record, "Type") is "HardBounce" or "BadEmailAddress" or "ManuallyDeactivated" => DeliveryEventKind.HardBounce,
            "Bounce" when Text(record, "Type") is "SpamComplaint" => DeliveryEventKind.Complaint,
            "Bounce" => DeliveryEventKind.SoftBounce,
            "SpamComplaint" => DeliveryEventKind.Complaint,
            _ => null,
        };
        var id = record.TryGetProperty("ID", out var idValue) ? idValue.GetRawText() : "";
        if (kind is null || !await store.TryRememberAsync("postmark", recordType + ":" + id, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            return Results.Ok(new { applied = 0 });
        }

        var applied = await ApplyAsync(kind.Value, Text(record, "Email"), "postmark", $"{Text(record, "Type")} {Text(record, "Description")}", null, cancellationToken).ConfigureAwait(false);
        return Results.Ok(new { applied });
    }

    // ---- generic -----------------------------------------------------------------------------------------------

    /// <summary>Why a generic webhook request is refused (signature over timestamp and raw body, freshness), or null.</summary>
    private IResult? GenericRefusal(byte[] body, HttpRequest request)
    {
        var timestamp = request.Headers["X-Crm-Timestamp"].ToString();
        var header = request.Headers["X-Crm-Signature"].ToString();
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Settings.Generic.Secret!), (byte[])[.. Encoding.UTF8.GetBytes(timestamp + "."), .. body]);
        if (!header.StartsWith("sha256=", StringComparison.Ordinal) || !TryHex(header[7..], out var presented) || !CryptographicOperations.FixedTimeEquals(expected, presented))
        {
            return Refused(StatusCodes.Status401Unauthorized, "generic", "the X-Crm-Signature does not verify");
        }

        return IsStale(UnixTime(timestamp)) ? Refused(StatusCodes.Status403Forbidden, "generic", "stale timestamp") : null;
    }

    private async Task<IResult> GenericAsync(JsonElement root, CancellationToken cancellationToken)
    {
        var applied = 0;
        foreach (var item in root.GetProperty("events").EnumerateArray())
        {
            DeliveryEventKind? kind = Text(item, "type") switch
            {
                "hard_bounce" => DeliveryEventKind.HardBounce,
                "soft_bounce" => DeliveryEventKind.SoftBounce,
                "complaint" => DeliveryEventKind.Complaint,
                _ => null,
            };
            if (kind is null || !await store.TryRememberAsync("generic", Text(item, "id") ?? "", time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            applied += await ApplyAsync(kind.Value, Text(item, "email"), "generic", Text(item, "detail"), Text(item, "messageId"), cancellationToken).ConfigureAwait(false);
        }

        return Results.Ok(new { applied });
    }

    // ---- shared ------------------------------------------------------------------------------------------------

    private async Task<int> ApplyAsync(DeliveryEventKind kind, string? email, string provider, string? detail, string? messageId, CancellationToken cancellationToken)
    {
        var address = Crm.Contacts.ContactIdentity.NormalizeEmail(email);
        if (address is null)
        {
            return 0;
        }

        var outcome = await events.ApplyAsync(new DeliveryEvent(kind, address, provider, detail, time.GetUtcNow()), messageId, cancellationToken).ConfigureAwait(false);
        return outcome is DeliveryEventOutcome.UnknownAddress or DeliveryEventOutcome.Mismatched ? 0 : 1;
    }

    private bool IsStale(DateTimeOffset signedAt) => (time.GetUtcNow() - signedAt).Duration() > Settings.MaxAge;

    private IResult Refused(int status, string provider, string reason)
    {
        LogRefused(logger, provider, reason);
        return Results.Problem(statusCode: status, title: status == StatusCodes.Status401Unauthorized ? "Signature check failed" : "Request refused",
            detail: status == StatusCodes.Status401Unauthorized ? "The request is not signed by the configured provider." : "The request is stale, replayed or not for this server.");
    }

    private static DateTimeOffset UnixTime(string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds < 100_000_000_000
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.MinValue;

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool TryBase64(string? value, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrEmpty(value) || value.Length > 4096)
        {
            return false;
        }

        try
        {
            bytes = Convert.FromBase64String(value);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool TryHex(string? value, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrEmpty(value) || value.Length != 64)
        {
            return false;
        }

        try
        {
            bytes = Convert.FromHexString(value);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 3402, Level = LogLevel.Warning, Message = "Refused a {Provider} webhook: {Reason}")]
    private static partial void LogRefused(ILogger logger, string provider, string reason);

    [LoggerMessage(EventId = 3403, Level = LogLevel.Information, Message = "Confirmed the SNS subscription of topic {Topic} (SNS answered {Status})")]
    private static partial void LogSubscribed(ILogger logger, string topic, int status);
}
