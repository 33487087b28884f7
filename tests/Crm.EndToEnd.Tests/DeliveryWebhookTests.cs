using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Crm.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Crm.EndToEnd.Tests;

/// <summary>
/// The providers' bounce and complaint webhooks, each signed the way the provider documents with keys made here; a
/// local server plays SNS's certificate host and subscription endpoint.
/// </summary>
public sealed class DeliveryWebhookFixture : IAsyncLifetime
{
    public const string TopicArn = "arn:aws:sns:eu-west-1:123456789012:ses-events";
    public const string MailgunKey = "mailgun-signing-key-0123456789";
    public const string PostmarkPassword = "postmark-basic-auth-password";
    public const string GenericSecret = "generic-webhook-secret-0123456789abcdef";

    private readonly OwnedResources _owned = new();

    public RSA SnsKey { get; } = RSA.Create(2048);

    public ECDsa SendGridKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public List<string> Confirmations { get; } = [];

    public string SnsBase { get; private set; } = "";

    public SmtpSink Sink { get; private set; } = null!;

    public HostProcess Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var certificate = new CertificateRequest("CN=sns.eu-west-1.amazonaws.com", SnsKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var pem = certificate.ExportCertificatePem();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var sns = builder.Build();
        sns.MapGet("/SimpleNotificationService-test.pem", () => Results.Text(pem, "application/x-pem-file"));
        sns.MapGet("/confirm", (HttpContext context) =>
        {
            lock (Confirmations)
            {
                Confirmations.Add(context.Request.QueryString.Value ?? "");
            }

            return Results.Ok();
        });
        await _owned.AddAsync(StartAsync(sns));
        SnsBase = sns.Urls.First();
        try
        {
            Sink = await _owned.AddAsync(SmtpSink.StartAsync());
            Host = await _owned.AddAsync(HostProcess.StartAsync(CampaignApi.HostSettings(Sink.Port,
                ("Crm:Campaigns:Webhooks:Ses:AllowedTopicArns:0", TopicArn),
                ("Crm:Campaigns:Webhooks:Ses:CertificateUrlPattern", @"^http://127\.0\.0\.1:\d+/[^?#]+\.pem$"),
                ("Crm:Campaigns:Webhooks:Ses:SubscribeUrlPattern", @"^http://127\.0\.0\.1:\d+/confirm\?"),
                ("Crm:Campaigns:Webhooks:SendGrid:PublicKey", Convert.ToBase64String(SendGridKey.ExportSubjectPublicKeyInfo())),
                ("Crm:Campaigns:Webhooks:Mailgun:SigningKey", MailgunKey),
                ("Crm:Campaigns:Webhooks:Postmark:UserName", "postmark"),
                ("Crm:Campaigns:Webhooks:Postmark:Password", PostmarkPassword),
                ("Crm:Campaigns:Webhooks:Generic:Secret", GenericSecret))));
        }
        catch
        {
            await _owned.DisposeAsync();
            throw;
        }
    }

    private static async Task<WebApplication> StartAsync(WebApplication app)
    {
        await app.StartAsync();
        return app;
    }

    public async Task DisposeAsync()
    {
        await _owned.DisposeAsync();
        SnsKey.Dispose();
        SendGridKey.Dispose();
    }
}

public sealed class DeliveryWebhookTests(DeliveryWebhookFixture fixture) : IClassFixture<DeliveryWebhookFixture>, IDisposable
{
    private readonly HttpClient _client = fixture.Host.CreateClient();
    private readonly HttpClient _manager = fixture.Host.CreateClient(CampaignApi.ManagerKey);

    public void Dispose()
    {
        _client.Dispose();
        _manager.Dispose();
    }

    [Fact]
    public async Task An_ses_hard_bounce_naming_our_message_suppresses_the_contact_counts_on_the_campaign_and_the_next_campaign_skips_it()
    {
        var (tag, campaignId, messageIds) = await SendCampaignAsync("bounce", "keep");
        var bounced = messageIds.Single(m => m.Key.StartsWith("bounce", StringComparison.Ordinal));

        using var response = await PostSnsAsync(SesNotification("Bounce", bounced.Key, bounced.Value, permanent: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("bounced", await StatusOfAsync(bounced.Key));
        Assert.Equal("subscribed", await StatusOfAsync(messageIds.Keys.Single(k => k.StartsWith("keep", StringComparison.Ordinal))));
        Assert.Equal(1, (await new CampaignApi(_manager).GetAsync(campaignId)).GetProperty("bounces").GetInt32());

        var next = await new CampaignApi(_manager).CreateAsync(new { subject = "Next", body = "<p>Again</p>", segment = new { tags = new[] { tag } } });
        await new CampaignApi(_manager).WaitForStatusAsync(next, "completed", TimeSpan.FromSeconds(30));
        var recipients = SinkMessage.LoadAll(fixture.Sink).Where(m => m.Message.Headers["X-Crm-Campaign"] == next.ToString(CultureInfo.InvariantCulture)).SelectMany(m => m.EnvelopeRecipients).ToList();
        Assert.Equal([messageIds.Keys.Single(k => k.StartsWith("keep", StringComparison.Ordinal))], recipients);
    }

    [Fact]
    public async Task A_report_whose_address_is_not_the_quoted_messages_changes_nothing()
    {
        var (_, campaignId, messageIds) = await SendCampaignAsync("quoted");
        var (quotedEmail, messageId) = messageIds.Single();
        var bystanderTag = "b" + Guid.NewGuid().ToString("N")[..10];
        var bystander = $"never-mailed.{bystanderTag}@example.com";
        await new CampaignApi(_manager).ImportAsync([new { email = bystander, tags = new[] { bystanderTag } }]);

        // Signed and well formed, but about another address than the message it quotes.
        using var response = await PostSnsAsync(SesNotification("Complaint", bystander, messageId));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("subscribed", await StatusOfAsync(bystander));
        Assert.Equal("subscribed", await StatusOfAsync(quotedEmail));
        Assert.Equal(0, (await new CampaignApi(_manager).GetAsync(campaignId)).GetProperty("complaints").GetInt32());
    }

    [Fact]
    public async Task An_ses_complaint_marks_the_contact_complained()
    {
        var (_, campaignId, messageIds) = await SendCampaignAsync("complain");
        var (email, messageId) = messageIds.Single();

        using var response = await PostSnsAsync(SesNotification("Complaint", email, messageId));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("complained", await StatusOfAsync(email));
        Assert.Equal(1, (await new CampaignApi(_manager).GetAsync(campaignId)).GetProperty("complaints").GetInt32());
    }

    [Fact]
    public async Task Forged_foreign_topic_replayed_and_wrongly_hosted_sns_messages_are_refused_and_change_nothing()
    {
        var (_, _, messageIds) = await SendCampaignAsync("forged");
        var (email, messageId) = messageIds.Single();

        using var otherKey = RSA.Create(2048);
        using var forged = await PostSnsAsync(SesNotification("Bounce", email, messageId, permanent: true), signWith: otherKey);
        using var foreign = await PostSnsAsync(SesNotification("Bounce", email, messageId, permanent: true, topic: "arn:aws:sns:eu-west-1:999999999999:someone-else"));
        using var elsewhere = await PostSnsAsync(SesNotification("Bounce", email, messageId, permanent: true), certificateUrl: "http://127.0.0.2:1/cert.pem");
        var genuine = SesNotification("Bounce", email, messageId, permanent: false);
        using var first = await PostSnsAsync(genuine);
        using var replay = await PostSnsAsync(genuine);

        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, elsewhere.StatusCode);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, replay.StatusCode);
        // One soft bounce (the genuine one; its replay did not count a second) stays under the limit of three.
        Assert.Equal("subscribed", await StatusOfAsync(email));
    }

    [Fact]
    public async Task An_sns_subscription_confirmation_is_verified_then_confirmed()
    {
        var message = SubscriptionConfirmation($"{fixture.SnsBase}/confirm?Action=ConfirmSubscription&Token=abc");

        using var response = await PostSnsAsync(message);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        lock (fixture.Confirmations)
        {
            Assert.Contains("?Action=ConfirmSubscription&Token=abc", fixture.Confirmations);
        }
    }

    [Fact]
    public async Task A_signed_subscription_confirmation_with_a_foreign_subscribe_url_is_refused_and_fetches_nothing()
    {
        // Signed as SNS signs, but its SubscribeURL is not on the allow-list: fetching it would let a webhook make the
        // host call any address (SSRF). The URL reaches the fixture's own server if it is fetched at all.
        var foreign = fixture.SnsBase.Replace("127.0.0.1", "localhost", StringComparison.Ordinal) + "/confirm?Action=ConfirmSubscription&Token=foreign";
        var message = SubscriptionConfirmation(foreign);

        using var response = await PostSnsAsync(message);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        // A confirmation is fetched before the webhook answers (the test above relies on it), so none can come later.
        lock (fixture.Confirmations)
        {
            Assert.DoesNotContain(fixture.Confirmations, c => c.Contains("Token=foreign", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Sendgrid_events_signed_with_the_configured_key_apply_and_forged_or_stale_ones_do_not()
    {
        var (_, campaignId, messageIds) = await SendCampaignAsync("sg-hard", "sg-spam");
        var events = new JsonArray(
            new JsonObject { ["email"] = messageIds.Keys.Single(k => k.StartsWith("sg-hard", StringComparison.Ordinal)), ["event"] = "bounce", ["type"] = "bounce", ["sg_event_id"] = Guid.NewGuid().ToString(), ["reason"] = "550 5.1.1 unknown user", ["smtp-id"] = "<" + messageIds.First(m => m.Key.StartsWith("sg-hard", StringComparison.Ordinal)).Value + ">" },
            new JsonObject { ["email"] = messageIds.Keys.Single(k => k.StartsWith("sg-spam", StringComparison.Ordinal)), ["event"] = "spamreport", ["sg_event_id"] = Guid.NewGuid().ToString() });
        var body = Encoding.UTF8.GetBytes(events.ToJsonString());

        using var forged = await PostSendGridAsync(body, DateTimeOffset.UtcNow, ECDsa.Create(ECCurve.NamedCurves.nistP256));
        using var stale = await PostSendGridAsync(body, DateTimeOffset.UtcNow.AddHours(-3), fixture.SendGridKey);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, stale.StatusCode);
        Assert.Equal("subscribed", await StatusOfAsync(messageIds.Keys.First()));

        using var signed = await PostSendGridAsync(body, DateTimeOffset.UtcNow, fixture.SendGridKey);
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.Equal("bounced", await StatusOfAsync(messageIds.Keys.Single(k => k.StartsWith("sg-hard", StringComparison.Ordinal))));
        Assert.Equal("complained", await StatusOfAsync(messageIds.Keys.Single(k => k.StartsWith("sg-spam", StringComparison.Ordinal))));
        var stats = await new CampaignApi(_manager).GetAsync(campaignId);
        Assert.Equal(1, stats.GetProperty("bounces").GetInt32());
        Assert.Equal(1, stats.GetProperty("complaints").GetInt32());
    }

    [Fact]
    public async Task Mailgun_permanent_failures_apply_once_and_forged_stale_or_replayed_tokens_are_refused()
    {
        var (_, _, messageIds) = await SendCampaignAsync("mg");
        var (email, messageId) = messageIds.Single();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var token = Guid.NewGuid().ToString("N");

        using var forged = await PostMailgunAsync(email, messageId, timestamp, token, "not-the-key");
        using var stale = await PostMailgunAsync(email, messageId, DateTimeOffset.UtcNow.AddHours(-3).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), token, DeliveryWebhookFixture.MailgunKey);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, stale.StatusCode);
        Assert.Equal("subscribed", await StatusOfAsync(email));

        using var genuine = await PostMailgunAsync(email, messageId, timestamp, token, DeliveryWebhookFixture.MailgunKey);
        using var replayed = await PostMailgunAsync(email, messageId, timestamp, token, DeliveryWebhookFixture.MailgunKey);
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, replayed.StatusCode);
        Assert.Equal("bounced", await StatusOfAsync(email));
    }

    [Fact]
    public async Task Postmark_needs_its_basic_auth_and_a_hard_bounce_suppresses()
    {
        var (_, _, messageIds) = await SendCampaignAsync("pm");
        var email = messageIds.Keys.Single();
        var record = new JsonObject { ["RecordType"] = "Bounce", ["Type"] = "HardBounce", ["ID"] = Random.Shared.NextInt64(1, long.MaxValue), ["Email"] = email, ["Description"] = "The server was unable to deliver your message" };

        using var anonymous = await PostAsync("postmark", Encoding.UTF8.GetBytes(record.ToJsonString()), null);
        using var wrong = await PostAsync("postmark", Encoding.UTF8.GetBytes(record.ToJsonString()), r => r.Headers.Authorization = Basic("postmark", "wrong-password-wrong-password"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("subscribed", await StatusOfAsync(email));

        using var right = await PostAsync("postmark", Encoding.UTF8.GetBytes(record.ToJsonString()), r => r.Headers.Authorization = Basic("postmark", DeliveryWebhookFixture.PostmarkPassword));
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal("bounced", await StatusOfAsync(email));
    }

    [Fact]
    public async Task Generic_soft_bounces_suppress_at_the_limit_and_an_unsigned_request_is_401()
    {
        var (_, _, messageIds) = await SendCampaignAsync("soft");
        var email = messageIds.Keys.Single();

        using var unsigned = await PostAsync("generic", Encoding.UTF8.GetBytes("""{"events":[]}"""), null);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        for (var i = 1; i <= 3; i++)
        {
            var body = Encoding.UTF8.GetBytes(new JsonObject { ["events"] = new JsonArray(new JsonObject { ["id"] = Guid.NewGuid().ToString(), ["type"] = "soft_bounce", ["email"] = email }) }.ToJsonString());
            using var response = await PostGenericAsync(body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(i < 3 ? "subscribed" : "bounced", await StatusOfAsync(email));
        }
    }

    [Theory]
    [InlineData("nobody", "{}")]
    [InlineData("SES-but-wrong", "{}")]
    [InlineData("nobody", "not json at all <xml/>")]
    public async Task An_unknown_provider_is_404(string provider, string body)
    {
        using var response = await PostAsync(provider, Encoding.UTF8.GetBytes(body), null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Malformed_json_is_400_and_an_oversized_body_413()
    {
        // Signed, so it gets as far as parsing; unsigned, the same bytes are refused before they are parsed.
        using var malformed = await PostGenericAsync(Encoding.UTF8.GetBytes("{\"events\": ["));
        using var unsignedMalformed = await PostAsync("generic", Encoding.UTF8.GetBytes("{\"events\": ["), null);
        using var huge = await PostAsync("generic", new byte[2 * 1024 * 1024], null);

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unsignedMalformed.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
    }

    private async Task<(string Tag, long CampaignId, Dictionary<string, string> MessageIds)> SendCampaignAsync(params string[] names)
    {
        var api = new CampaignApi(_manager);
        var tag = "w" + Guid.NewGuid().ToString("N")[..10];
        await api.ImportAsync(names.Select(n => new { email = $"{n}.{tag}@example.com", tags = new[] { tag } }));
        var id = await api.CreateAsync(new { subject = "Webhooks", body = "<p>Hi</p>", segment = new { tags = new[] { tag } } });
        await api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(30));
        var messages = SinkMessage.LoadAll(fixture.Sink).Where(m => m.Message.Headers["X-Crm-Campaign"] == id.ToString(CultureInfo.InvariantCulture));
        return (tag, id, messages.ToDictionary(m => m.EnvelopeRecipients.Single(), m => m.Message.MessageId!));
    }

    private async Task<string?> StatusOfAsync(string email)
    {
        var page = await _manager.GetFromJsonAsync<JsonElement>($"/contacts?pageSize=200&tag={Uri.EscapeDataString(email.Split('.')[1].Split('@')[0])}");
        return page.GetProperty("items").EnumerateArray().Single(c => c.GetProperty("email").GetString() == email).GetProperty("marketingStatus").GetString();
    }

    private JsonObject SesNotification(string type, string email, string messageId, bool permanent = false, string topic = DeliveryWebhookFixture.TopicArn)
    {
        var ses = type == "Bounce"
            ? new JsonObject
            {
                ["notificationType"] = "Bounce",
                ["bounce"] = new JsonObject { ["bounceType"] = permanent ? "Permanent" : "Transient", ["bounceSubType"] = "General", ["bouncedRecipients"] = new JsonArray(new JsonObject { ["emailAddress"] = email, ["diagnosticCode"] = "smtp; 550 5.1.1 user unknown" }) },
                ["mail"] = new JsonObject { ["messageId"] = "0100018c-ses-id", ["headers"] = new JsonArray(new JsonObject { ["name"] = "Message-ID", ["value"] = $"<{messageId}>" }) },
            }
            : new JsonObject
            {
                ["notificationType"] = "Complaint",
                ["complaint"] = new JsonObject { ["complaintFeedbackType"] = "abuse", ["complainedRecipients"] = new JsonArray(new JsonObject { ["emailAddress"] = email }) },
                ["mail"] = new JsonObject { ["messageId"] = "0100018c-ses-id", ["commonHeaders"] = new JsonObject { ["messageId"] = $"<{messageId}>" } },
            };
        return new JsonObject
        {
            ["Type"] = "Notification",
            ["MessageId"] = Guid.NewGuid().ToString(),
            ["TopicArn"] = topic,
            ["Message"] = ses.ToJsonString(),
            ["Timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>An SNS subscription confirmation as SNS posts it, before signing.</summary>
    private static JsonObject SubscriptionConfirmation(string subscribeUrl) => new()
    {
        ["Type"] = "SubscriptionConfirmation",
        ["MessageId"] = Guid.NewGuid().ToString(),
        ["Token"] = "token-" + Guid.NewGuid().ToString("N"),
        ["TopicArn"] = DeliveryWebhookFixture.TopicArn,
        ["Message"] = "You have chosen to subscribe to the topic.",
        ["SubscribeURL"] = subscribeUrl,
        ["Timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
    };

    /// <summary>Signs as SNS documents (SignatureVersion 2: SHA256withRSA over "Name\nvalue\n" of the fields in order).</summary>
    private Task<HttpResponseMessage> PostSnsAsync(JsonObject message, RSA? signWith = null, string? certificateUrl = null)
    {
        message["SignatureVersion"] = "2";
        message["SigningCertURL"] = certificateUrl ?? $"{fixture.SnsBase}/SimpleNotificationService-test.pem";
        var fields = (string)message["Type"]! == "Notification"
            ? new[] { "Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type" }
            : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
        var signed = new StringBuilder();
        foreach (var field in fields.Where(f => message[f] is not null))
        {
            signed.Append(field).Append('\n').Append((string)message[field]!).Append('\n');
        }

        message["Signature"] = Convert.ToBase64String((signWith ?? fixture.SnsKey).SignData(Encoding.UTF8.GetBytes(signed.ToString()), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        return PostAsync("ses", Encoding.UTF8.GetBytes(message.ToJsonString()), r => r.Headers.Add("x-amz-sns-message-type", (string)message["Type"]!));
    }

    private Task<HttpResponseMessage> PostSendGridAsync(byte[] body, DateTimeOffset at, ECDsa key)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = key.SignData((byte[])[.. Encoding.UTF8.GetBytes(timestamp), .. body], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return PostAsync("sendgrid", body, r =>
        {
            r.Headers.Add("X-Twilio-Email-Event-Webhook-Signature", Convert.ToBase64String(signature));
            r.Headers.Add("X-Twilio-Email-Event-Webhook-Timestamp", timestamp);
        });
    }

    private Task<HttpResponseMessage> PostMailgunAsync(string email, string messageId, string timestamp, string token, string key)
    {
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(timestamp + token)));
        var body = new JsonObject
        {
            ["signature"] = new JsonObject { ["timestamp"] = timestamp, ["token"] = token, ["signature"] = signature },
            ["event-data"] = new JsonObject { ["event"] = "failed", ["severity"] = "permanent", ["recipient"] = email, ["id"] = Guid.NewGuid().ToString(), ["reason"] = "bounce", ["message"] = new JsonObject { ["headers"] = new JsonObject { ["message-id"] = messageId } } },
        };
        return PostAsync("mailgun", Encoding.UTF8.GetBytes(body.ToJsonString()), null);
    }

    private Task<HttpResponseMessage> PostGenericAsync(byte[] body)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(DeliveryWebhookFixture.GenericSecret), (byte[])[.. Encoding.UTF8.GetBytes(timestamp + "."), .. body]));
        return PostAsync("generic", body, r =>
        {
            r.Headers.Add("X-Crm-Timestamp", timestamp);
            r.Headers.Add("X-Crm-Signature", "sha256=" + signature);
        });
    }

    private async Task<HttpResponseMessage> PostAsync(string provider, byte[] body, Action<HttpRequestMessage>? sign)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/bulk-email/webhooks/{provider}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        sign?.Invoke(request);
        return await _client.SendAsync(request);
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
}
