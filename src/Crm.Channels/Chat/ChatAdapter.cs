using System.Text.Json;
using Crm.Channels.Adapters;
using Crm.Contacts;
using Crm.Channels.Ingestion;
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

    /// <summary>Creates the adapter.</summary>
    public ChatAdapter(IOptions<ChatOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
    }

    /// <inheritdoc />
    public string Channel => ChannelName;

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<InboundMessage>> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!RequestBody.HasMediaType(request, "application/json"))
        {
            throw ChannelRequestException.UnsupportedMediaType("application/json");
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

        return [ToInboundMessage(payload)];
    }

    private InboundMessage ToInboundMessage(ChatMessageRequest payload)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (VisibleText.IsBlank(payload.Message))
        {
            errors["message"] = ["The message is required."];
        }
        else if (payload.Message.Length > _options.MaxMessageLength)
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

        if (errors.Count > 0)
        {
            throw ChannelRequestException.Invalid(errors);
        }

        return new InboundMessage
        {
            Channel = ChannelName,
            // The widget has no transport-level id; each POST is one message.
            ExternalMessageId = Guid.NewGuid().ToString("N"),
            Sender = new SenderIdentity(Email: payload.Email, Name: payload.Name),
            Subject = string.IsNullOrWhiteSpace(payload.Name) ? "Website chat" : $"Website chat with {payload.Name.Trim()}",
            Text = payload.Message!,
            Thread = new ThreadHints { ConversationKey = payload.ConversationId },
        };
    }
}
