using System.Globalization;
using System.Text;
using System.Text.Json;
using Crm.Channels.Adapters;
using Crm.Channels.Ingestion;
using Crm.Channels.Replies;
using Crm.Channels.Tickets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Crm.Channels.WhatsApp;

/// <summary>
/// WhatsApp through Twilio: <c>POST /tickets?channel=whatsapp</c> takes Twilio's inbound-message webhook,
/// verifies <c>X-Twilio-Signature</c> with the auth token of the account the webhook names, and answers
/// an empty TwiML <c>&lt;Response/&gt;</c>. Messages from one number join that contact's open WhatsApp ticket.
/// </summary>
internal sealed partial class WhatsAppAdapter : IChannelAdapter
{
    /// <summary>The channel name.</summary>
    public const string ChannelName = "whatsapp";

    private const string EmptyTwiml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

    private readonly WhatsAppAccounts _accounts;
    private readonly DeliveryStatusUpdates _deliveries;
    private readonly ILogger<WhatsAppAdapter> _logger;

    /// <summary>Creates the adapter.</summary>
    public WhatsAppAdapter(WhatsAppAccounts accounts, DeliveryStatusUpdates deliveries, ILogger<WhatsAppAdapter> logger)
    {
        _accounts = accounts;
        _deliveries = deliveries;
        _logger = logger;
    }

    /// <inheritdoc />
    public string Channel => ChannelName;

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<InboundMessage>> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var isForm = RequestBody.HasMediaType(request, "application/x-www-form-urlencoded");
        var isJson = RequestBody.HasMediaType(request, "application/json");
        if (!isForm && !isJson)
        {
            throw ChannelRequestException.UnsupportedMediaType("application/x-www-form-urlencoded (Twilio's webhook format)");
        }

        var body = await RequestBody.ReadAsync(request, _accounts.MaxRequestBytes, cancellationToken).ConfigureAwait(false);
        var parameters = isForm ? ParseForm(body) : ParseJson(body);
        var accountSid = parameters.GetValueOrDefault("AccountSid").ToString();
        var account = _accounts.Find(accountSid);
        var signature = request.Headers["X-Twilio-Signature"].ToString();
        if (account is null)
        {
            LogRefused(_logger, "no configured account has the AccountSid the webhook names", Mask(accountSid));
            throw Forbidden();
        }

        if (string.IsNullOrEmpty(signature))
        {
            LogRefused(_logger, "the X-Twilio-Signature header is missing", Mask(accountSid));
            throw Forbidden();
        }

        var url = SignedUrl(request, account.Options.PublicBaseUrl);
        var signedParameters = isForm ? parameters : [];
        if (isJson && !TwilioSignature.BodyHashMatches(body, request.Query["bodySHA256"]))
        {
            LogRefused(_logger, "the JSON body does not match its bodySHA256", Mask(accountSid));
            throw Forbidden();
        }

        if (!TwilioSignature.IsValid(account.Options.AuthToken, signature, url, signedParameters))
        {
            LogSignatureMismatch(_logger, url, Mask(accountSid));
            throw Forbidden();
        }

        // Replies name this URL as their StatusCallback: a signed delivery report moves the reply's status forward.
        if (parameters.ContainsKey("MessageStatus") && !parameters.ContainsKey("Body") && !parameters.ContainsKey("NumMedia"))
        {
            await ApplyStatusCallbackAsync(parameters, cancellationToken).ConfigureAwait(false);
            return [];
        }

        return [ToInboundMessage(parameters)];
    }

    /// <summary>Twilio wants a quick 200 with TwiML; an empty <c>&lt;Response/&gt;</c> sends no automatic reply.</summary>
    public IResult CreateResponse(IReadOnlyList<IngestionResult> results) => Results.Content(EmptyTwiml, "text/xml", Encoding.UTF8, StatusCodes.Status200OK);

    private async Task ApplyStatusCallbackAsync(Dictionary<string, StringValues> parameters, CancellationToken cancellationToken)
    {
        var messageSid = parameters.GetValueOrDefault("MessageSid").ToString();
        DeliveryStatus? status = parameters.GetValueOrDefault("MessageStatus").ToString() switch
        {
            "sent" => DeliveryStatus.Sent,
            "delivered" => DeliveryStatus.Delivered,
            "read" => DeliveryStatus.Read,
            "failed" or "undelivered" => DeliveryStatus.Failed,
            // queued, accepted, sending, scheduled: still on Twilio's side; nothing new for the agent.
            _ => null,
        };
        if (status is null || string.IsNullOrEmpty(messageSid))
        {
            return;
        }

        var errorCode = parameters.GetValueOrDefault("ErrorCode").ToString();
        var errorMessage = parameters.GetValueOrDefault("ErrorMessage").ToString();
        string? error = status == DeliveryStatus.Failed
            ? $"Twilio error {(errorCode.Length == 0 ? "(no code)" : errorCode)}{(errorMessage.Length == 0 ? "" : ": " + errorMessage)}"
            : null;
        var updated = await _deliveries.UpdateAsync(ChannelName, messageSid, status.Value, error, cancellationToken).ConfigureAwait(false);
        if (updated is null)
        {
            LogUnknownStatusCallback(_logger, messageSid);
        }
    }

    private static InboundMessage ToInboundMessage(Dictionary<string, StringValues> parameters)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var messageSid = parameters.GetValueOrDefault("MessageSid").ToString();
        if (string.IsNullOrEmpty(messageSid))
        {
            messageSid = parameters.GetValueOrDefault("SmsMessageSid").ToString();
        }

        if (string.IsNullOrEmpty(messageSid))
        {
            errors["MessageSid"] = ["MessageSid is required."];
        }

        var from = parameters.GetValueOrDefault("From").ToString();
        var waId = parameters.GetValueOrDefault("WaId").ToString();
        // WaId is the sender's number without '+'; it survives when From carries a display form.
        var phone = !string.IsNullOrEmpty(waId) && waId.All(char.IsAsciiDigit) ? "+" + waId : from;
        if (string.IsNullOrEmpty(phone))
        {
            errors["From"] = ["From is required."];
        }

        var attachments = new List<AttachmentInfo>();
        var numMediaText = parameters.GetValueOrDefault("NumMedia").ToString();
        var numMedia = 0;
        if (!string.IsNullOrEmpty(numMediaText) && (!int.TryParse(numMediaText, NumberStyles.None, CultureInfo.InvariantCulture, out numMedia) || numMedia > 10))
        {
            errors["NumMedia"] = ["NumMedia must be a number from 0 to 10."];
        }

        for (var i = 0; i < numMedia; i++)
        {
            var url = parameters.GetValueOrDefault($"MediaUrl{i}").ToString();
            if (string.IsNullOrEmpty(url))
            {
                errors[$"MediaUrl{i}"] = [$"MediaUrl{i} is missing though NumMedia is {numMedia}."];
                continue;
            }

            var contentType = parameters.GetValueOrDefault($"MediaContentType{i}").ToString();
            attachments.Add(new AttachmentInfo(FileName: null, string.IsNullOrEmpty(contentType) ? "application/octet-stream" : contentType, Size: null, Url: url));
        }

        if (errors.Count > 0)
        {
            throw ChannelRequestException.Invalid(errors);
        }

        return new InboundMessage
        {
            Channel = ChannelName,
            ExternalMessageId = messageSid,
            Sender = new SenderIdentity(Phone: phone, Name: NullIfEmpty(parameters.GetValueOrDefault("ProfileName").ToString()), IsVerified: true),
            Subject = "WhatsApp",
            Text = parameters.GetValueOrDefault("Body").ToString(),
            Attachments = attachments,
            Thread = new ThreadHints { JoinOpenTicketOfSender = true },
        };
    }

    private static Dictionary<string, StringValues> ParseForm(byte[] body)
    {
        try
        {
            using var reader = new FormReader(Encoding.UTF8.GetString(body));
            return reader.ReadForm();
        }
        catch (Exception ex) when (ex is InvalidDataException or DecoderFallbackException)
        {
            throw ChannelRequestException.Malformed("The body is not a valid form-encoded Twilio webhook.");
        }
    }

    private static Dictionary<string, StringValues> ParseJson(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ChannelRequestException.Malformed("The JSON body must be an object.");
            }

            var parameters = new Dictionary<string, StringValues>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                parameters[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
            }

            return parameters;
        }
        catch (JsonException)
        {
            throw ChannelRequestException.Malformed("The body is not valid JSON.");
        }
    }

    private static string SignedUrl(HttpRequest request, string? publicBaseUrl)
    {
        var pathAndQuery = request.PathBase.Add(request.Path).ToUriComponent() + request.QueryString.ToUriComponent();
        return string.IsNullOrEmpty(publicBaseUrl)
            ? $"{request.Scheme}://{request.Host.ToUriComponent()}{pathAndQuery}"
            : publicBaseUrl.TrimEnd('/') + pathAndQuery;
    }

    private static ChannelRequestException Forbidden()
        => new(StatusCodes.Status403Forbidden, "Signature check failed", "The request is not signed by a Twilio account this server knows.");

    private static string Mask(string accountSid) => accountSid.Length > 6 ? accountSid[..6] + "…" : accountSid;

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "A WhatsApp status callback names {MessageSid}, which is not a reply stored here")]
    private static partial void LogUnknownStatusCallback(ILogger logger, string messageSid);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Refused a WhatsApp webhook: {Reason} (account {AccountSid})")]
    private static partial void LogRefused(ILogger logger, string reason, string accountSid);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Refused a WhatsApp webhook: X-Twilio-Signature does not match {Url} (account {AccountSid}); behind a proxy set PublicBaseUrl or trust its X-Forwarded headers")]
    private static partial void LogSignatureMismatch(ILogger logger, string url, string accountSid);
}
