using Crm.Channels.Storage;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Crm.Channels.Adapters;
using Crm.Channels.Attachments;
using Crm.Contacts;
using Crm.Channels.Ingestion;
using Crm.Channels.Tickets;
using Crm.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Chat;

/// <summary>
/// The website chat channel: <c>POST /tickets?channel=chat</c> with JSON
/// <c>{ "name", "email", "message", "conversationId"? }</c>. A follow-up carrying the
/// <c>conversationId</c> from the first answer joins the same ticket.
/// </summary>
internal sealed class ChatAdapter : IChannelAdapter
{
    /// <summary>The channel name.</summary>
    public const string ChannelName = "chat";

    private readonly ChatOptions _options;
    private readonly VisitorTokens _tokens;
    private readonly IAttachmentStore _attachments;
    private readonly ITicketStore _store;
    private readonly long _maxTicketBytes;
    private readonly ChatUploadQuotas _quotas;

    /// <summary>Creates the adapter.</summary>
    public ChatAdapter(IOptions<ChatOptions> options, VisitorTokens tokens, IAttachmentStore attachments, ITicketStore store, IOptions<AttachmentOptions> attachmentOptions, ChatUploadQuotas quotas)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(attachmentOptions);
        _options = options.Value;
        _tokens = tokens;
        _attachments = attachments;
        _store = store;
        _maxTicketBytes = attachmentOptions.Value.MaxTicketBytes;
        _quotas = quotas;
    }

    /// <inheritdoc />
    public string Channel => ChannelName;

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<InboundMessage>> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (MultipartUpload.IsMultipart(request) && _options.MaxUploadBytes > 0)
        {
            return [await ReadWithFileAsync(request, cancellationToken).ConfigureAwait(false)];
        }

        if (!RequestBody.HasMediaType(request, "application/json"))
        {
            throw ChannelRequestException.UnsupportedMediaType(_options.MaxUploadBytes > 0 ? "application/json (or multipart/form-data with a file)" : "application/json");
        }

        var body = await RequestBody.ReadAsync(request, _options.MaxRequestBytes, cancellationToken).ConfigureAwait(false);
        ChatMessageRequest? payload;
        try
        {
            payload = JsonSerializer.Deserialize(body, ChatJsonContext.Default.ChatMessageRequest);
        }
        catch (JsonException ex)
        {
            throw ChannelRequestException.Malformed($"The body is not valid JSON for a chat message ({JsonErrorLocation.Describe(ex)}).");
        }

        if (payload is null)
        {
            throw ChannelRequestException.Malformed("The body must be a JSON object.");
        }

        var message = ToInboundMessage(payload, withFile: false);
        await CheckVisitorAsync(request, payload, cancellationToken).ConfigureAwait(false);
        return [message];
    }

    /// <summary>
    /// A message with one file: the form's fields (as in the JSON body) first, checked (token and identity included)
    /// before the file is stored, then the <c>file</c> part, size- and type-limited, within the upload quotas and the
    /// conversation's attachment limit — counted before a byte is stored, not after.
    /// </summary>
    private async Task<InboundMessage> ReadWithFileAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        InboundMessage? message = null;
        string? conversation = null;
        var client = ClientAddress.KeyOf(request.HttpContext.Connection.RemoteIpAddress);
        var limits = new UploadLimits(1, _options.MaxUploadBytes, _options.MaxUploadBytes, _options.UploadContentTypes.ToList());
        var (_, files) = await MultipartUpload.ReadAsync(request, _attachments, limits, async fields =>
        {
            var payload = new ChatMessageRequest(
                fields.GetValueOrDefault("name"), fields.GetValueOrDefault("email"), fields.GetValueOrDefault("message"), fields.GetValueOrDefault("conversationId"),
                fields.GetValueOrDefault("clientMessageId"), fields.GetValueOrDefault("identityHash"));
            message = ToInboundMessage(payload, withFile: true);
            await CheckVisitorAsync(request, payload, cancellationToken).ConfigureAwait(false);
            conversation = payload.ConversationId;
            return await RoomForAsync(client, conversation, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        _quotas.Add(client, conversation, files.Sum(f => f.Size ?? 0));

        if (files.Count == 0 && VisibleText.IsBlank(message!.Text))
        {
            throw ChannelRequestException.Invalid(new Dictionary<string, string[]> { ["message"] = ["Write a message or attach a file."] });
        }

        return message! with { Attachments = files };
    }

    /// <summary>The tighter of the upload quotas and what the conversation's ticket may still keep.</summary>
    private async Task<UploadRoom> RoomForAsync(string client, string? conversation, CancellationToken cancellationToken)
    {
        var (quota, clientBound) = _quotas.Remaining(client, conversation);
        long ticketRoom = _maxTicketBytes;
        if (conversation is not null && await _store.FindTicketByConversationKeyAsync(conversation, cancellationToken).ConfigureAwait(false) is { } ticket)
        {
            ticketRoom -= (await _store.GetTicketDetailsAsync(ticket.Id, cancellationToken).ConfigureAwait(false))?.KeptAttachmentBytes ?? 0;
        }

        return ticketRoom <= quota
            ? new UploadRoom(Math.Max(0, ticketRoom), StatusCodes.Status413PayloadTooLarge, "Conversation attachment limit reached",
                $"This conversation may keep {_maxTicketBytes} bytes of files; the file does not fit.")
            : new UploadRoom(quota, StatusCodes.Status429TooManyRequests, "Upload quota reached",
                clientBound ? "This address has uploaded as much as it may for now; try again later." : "This conversation has received as many file bytes as it may for now; try again later.");
    }

    private async ValueTask CheckVisitorAsync(HttpRequest request, ChatMessageRequest payload, CancellationToken cancellationToken)
    {
        await _tokens.EnsureKeyAsync(cancellationToken).ConfigureAwait(false);
        if (payload.ConversationId is { } conversationId
            && !await _tokens.VerifyAsync(conversationId, BearerToken(request), cancellationToken).ConfigureAwait(false))
        {
            throw new ChannelRequestException(
                StatusCodes.Status403Forbidden, "Visitor token required", "A follow-up must send the visitorToken of its conversation as 'Authorization: Bearer {visitorToken}'.");
        }
    }

    /// <summary>
    /// The receipt with the conversation's visitor token. A duplicate (a retried message) is answered with the token
    /// only when the request holds it already: otherwise anyone who knew a visitor's email and client message id could
    /// fetch the token, and with it the transcript.
    /// </summary>
    public IResult CreateResponse(IReadOnlyList<IngestionResult> results)
    {
        var result = results.Single();
        var receipt = new ChatReceipt(
            result.Ticket.Id, result.Ticket.Channel, TicketStatusNames.ToApi(result.Ticket.Status), result.Ticket.ConversationKey, result.Message.Id,
            result.Outcome == IngestionOutcome.Duplicate, _tokens.Issue(result.Ticket.ConversationKey), result.Message.IdentityVerified);
        return result.Outcome == IngestionOutcome.Duplicate
            ? new DuplicateReceiptResult(receipt, _tokens)
            : Results.Json(receipt, ChatJsonContext.Default.ChatReceipt, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>Decides at answer time, with the request at hand, whether the duplicate's caller holds the conversation's token.</summary>
    private sealed class DuplicateReceiptResult(ChatReceipt receipt, VisitorTokens tokens) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var holdsToken = await tokens.VerifyAsync(receipt.ConversationId!, BearerToken(httpContext.Request), httpContext.RequestAborted).ConfigureAwait(false);
            var answer = holdsToken ? receipt : receipt with { ConversationId = null, VisitorToken = null };
            await Results.Json(answer, ChatJsonContext.Default.ChatReceipt, statusCode: StatusCodes.Status200OK).ExecuteAsync(httpContext).ConfigureAwait(false);
        }
    }

    /// <summary>The visitor token from <c>Authorization: Bearer</c>, or null.</summary>
    internal static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }

    /// <summary>
    /// Without a <c>clientMessageId</c> each POST is a message of its own. With one, a retry maps to the same id, scoped
    /// to the conversation (or, for a first message, the email address), so one visitor's id can never match another's.
    /// </summary>
    private static string ExternalIdFor(ChatMessageRequest payload)
    {
        if (payload.ClientMessageId is null)
        {
            return Guid.NewGuid().ToString("N");
        }

        var scope = payload.ConversationId ?? "new:" + payload.Email!.Trim().ToLowerInvariant();
        return "cm-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(scope + "\n" + payload.ClientMessageId)))[..48];
    }

    private InboundMessage ToInboundMessage(ChatMessageRequest payload, bool withFile)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (VisibleText.IsBlank(payload.Message) && !withFile)
        {
            errors["message"] = ["The message is required."];
        }
        else if (payload.Message?.Length > _options.MaxMessageLength)
        {
            errors["message"] = [$"The message is longer than {_options.MaxMessageLength} characters."];
        }

        if (string.IsNullOrWhiteSpace(payload.Email))
        {
            errors["email"] = ["The email address is required so an agent can answer."];
        }
        else if (ContactIdentity.NormalizeEmail(payload.Email) is null)
        {
            errors["email"] = ["The email address is not valid."];
        }

        if (payload.Name is { } name && name.Length > _options.MaxNameLength)
        {
            errors["name"] = [$"The name is longer than {_options.MaxNameLength} characters."];
        }

        if (payload.ConversationId is { Length: > 128 })
        {
            errors["conversationId"] = ["The conversation id is not one this service issued."];
        }

        if (payload.ClientMessageId is { } clientMessageId && (clientMessageId.Length is 0 or > 64 || clientMessageId.Any(char.IsControl)))
        {
            errors["clientMessageId"] = ["Use 1 to 64 printable characters (a random UUID)."];
        }

        if (errors.Count > 0)
        {
            throw ChannelRequestException.Invalid(errors);
        }

        var identityVerified = false;
        if (!string.IsNullOrEmpty(payload.IdentityHash) && !string.IsNullOrEmpty(_options.IdentitySecret))
        {
            identityVerified = _tokens.IsIdentityValid(payload.Email!, payload.IdentityHash);
            if (!identityVerified)
            {
                throw new ChannelRequestException(StatusCodes.Status403Forbidden, "Identity not verified", "The identityHash does not match the email address.");
            }
        }
        else if (_options.RequireVerifiedIdentity)
        {
            throw new ChannelRequestException(StatusCodes.Status403Forbidden, "Identity required", "This chat is for signed-in users: the site must send identityHash with every message.");
        }

        return new InboundMessage
        {
            Channel = ChannelName,
            ExternalMessageId = ExternalIdFor(payload),
            // A site-signed identity is proved: like a signed WhatsApp webhook, it may complete the contact.
            Sender = new SenderIdentity(Email: payload.Email, Name: payload.Name, IsVerified: identityVerified),
            Subject = string.IsNullOrWhiteSpace(payload.Name) ? "Website chat" : $"Website chat with {payload.Name.Trim()}",
            Text = payload.Message ?? "",
            Thread = new ThreadHints { ConversationKey = payload.ConversationId },
        };
    }
}
