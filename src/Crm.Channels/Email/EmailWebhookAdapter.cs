using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Crm.Channels.Adapters;
using Crm.Channels.Ingestion;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Crm.Channels.Email;

/// <summary>
/// <c>POST /tickets?channel=email</c>: one raw RFC 5322 message from a mail relay (<c>message/rfc822</c> or
/// <c>text/plain</c>), authenticated by the shared secret in <c>X-Crm-Secret</c> or as the HTTP basic password.
/// Registered only when a secret is configured.
/// </summary>
internal sealed partial class EmailWebhookAdapter : IChannelAdapter
{
    private static readonly object QuarantineKey = new();
    private readonly EmailIntake _intake;
    private readonly EmailQuarantine _quarantine;
    private readonly ILogger<EmailWebhookAdapter> _logger;
    private readonly byte[] _secret;

    /// <summary>Creates the adapter.</summary>
    public EmailWebhookAdapter(EmailIntake intake, EmailQuarantine quarantine, ILogger<EmailWebhookAdapter> logger)
    {
        ArgumentNullException.ThrowIfNull(intake);
        _intake = intake;
        _quarantine = quarantine;
        _logger = logger;
        _secret = Encoding.UTF8.GetBytes(intake.Options.InboundSecret ?? throw new InvalidOperationException("The email webhook needs EmailOptions.InboundSecret."));
    }

    /// <inheritdoc />
    public string Channel => EmailReader.ChannelName;

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<InboundMessage>> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsAuthorized(request))
        {
            LogUnauthorized(_logger, request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            throw new ChannelRequestException(StatusCodes.Status401Unauthorized, "Authentication required", "Send the relay's shared secret as X-Crm-Secret or as the basic-auth password.");
        }

        if (!RequestBody.HasMediaType(request, "message/rfc822", "text/plain"))
        {
            throw ChannelRequestException.UnsupportedMediaType("message/rfc822 (one raw message)");
        }

        // A relay route per inbox (?inbox=billing): the inbox of mail whose recipients name none of ours.
        var inbox = request.Query["inbox"].ToString();
        if (inbox.Length > 0 && !_intake.Options.InboxAddresses.Values.Contains(inbox, StringComparer.Ordinal))
        {
            throw ChannelRequestException.Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["inbox"] = ["No inbox of this name is configured."] });
        }

        var raw = await RequestBody.ReadAsync(request, _intake.Options.MaxMessageBytes, cancellationToken).ConfigureAwait(false);
        if (raw.Length == 0)
        {
            throw ChannelRequestException.Malformed("The body is empty.");
        }

        try
        {
            var read = (await _intake.ClassifyAsync(raw, cancellationToken).ConfigureAwait(false)).ForInbox(inbox.Length > 0 ? inbox : null);
            // The files its reading stored: the endpoint deletes those no stored message keeps (a redelivery, a bounce,
            // a file past the ticket's limit).
            var uploads = Attachments.RequestUploads.For(request.HttpContext);
            foreach (var key in read.NewContent)
            {
                uploads.Add(key);
            }

            return read.Message is null ? [] : [read.Message];
        }
        catch (EmailTooComplexException ex)
        {
            throw new ChannelRequestException(StatusCodes.Status413PayloadTooLarge, "Message too complex", ex.Message);
        }
        catch (UnreadableEmailException ex)
        {
            // Refusing it would make the relay drop it for good: it is kept for an agent, and the relay is told so.
            request.HttpContext.Items[QuarantineKey] = (await _quarantine.KeepAsync("webhook", null, raw, ex.Message, cancellationToken).ConfigureAwait(false), ex.Message);
            return [];
        }
    }

    /// <summary>
    /// 201 with a receipt for a stored message (200 for a redelivery); 202 with <c>{"stored": false}</c> for
    /// auto-replies and bounces, which never open tickets, and with the quarantine id for mail kept for an agent.
    /// </summary>
    public IResult CreateResponse(IReadOnlyList<IngestionResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return results.Count == 0 ? new NotStoredResult() : TicketReceipt.DefaultResponse(results);
    }

    /// <summary>Answers 202, naming the quarantine entry when the request's mail went there.</summary>
    private sealed class NotStoredResult : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) =>
            (httpContext.Items.TryGetValue(QuarantineKey, out var kept) && kept is (long id, string reason)
                ? Results.Json(new { stored = false, quarantined = id, reason }, statusCode: StatusCodes.Status202Accepted)
                : Results.Json(new { stored = false, reason = "automatic reply or bounce" }, statusCode: StatusCodes.Status202Accepted))
            .ExecuteAsync(httpContext);
    }

    private bool IsAuthorized(HttpRequest request)
    {
        var presented = request.Headers["X-Crm-Secret"].ToString();
        if (string.IsNullOrEmpty(presented)
            && AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var authorization)
            && string.Equals(authorization.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            && authorization.Parameter is not null)
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization.Parameter));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                presented = colon >= 0 ? decoded[(colon + 1)..] : "";
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return presented.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _secret);
    }

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "Refused an email webhook from {Client}: missing or wrong secret")]
    private static partial void LogUnauthorized(ILogger logger, string client);
}
