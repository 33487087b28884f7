using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Crm.Channels.Adapters;
using Crm.Channels.Ingestion;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Crm.Samples.Telegram;

/// <summary>
/// Reads a Telegram webhook update (<c>POST /tickets?channel=telegram</c>). Telegram users have no email or phone the
/// bot can see, so the sender is the chat's id on this channel (<see cref="SenderIdentity.ExternalId"/>): every message
/// of a chat finds the same contact, joins its open ticket, and the reply sender finds the chat to answer in.
/// </summary>
public sealed class TelegramAdapter(IOptions<TelegramOptions> options) : IChannelAdapter
{
    /// <summary>The channel's name.</summary>
    public const string ChannelName = "telegram";

    /// <summary>The header Telegram sends the webhook's secret in.</summary>
    public const string SecretHeader = "X-Telegram-Bot-Api-Secret-Token";

    /// <inheritdoc />
    public string Channel => ChannelName;

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<InboundMessage>> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        // Before the body is read: an unsigned request costs nothing but this comparison, made in constant time.
        var presented = Encoding.UTF8.GetBytes(request.Headers[SecretHeader].ToString());
        if (!CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(settings.WebhookSecret)))
        {
            throw new ChannelRequestException(StatusCodes.Status403Forbidden, "Forbidden", $"The {SecretHeader} header does not match the webhook's secret.");
        }

        var body = await RequestBody.ReadAsync(request, settings.MaxUpdateBytes, cancellationToken).ConfigureAwait(false);
        TelegramUpdate? update;
        try
        {
            update = JsonSerializer.Deserialize(body, TelegramJson.Default.TelegramUpdate);
        }
        catch (JsonException ex)
        {
            throw ChannelRequestException.Malformed($"Not a Telegram update: {ex.Message}");
        }

        // Edits, joins, button presses and the like are answered 200 and stored as nothing (Telegram would resend a refusal).
        if (update?.Message is not { Chat: { } chat } message || (message.Text ?? message.Caption) is not { Length: > 0 } text)
        {
            return [];
        }

        var name = string.Join(' ', new[] { message.From?.FirstName, message.From?.LastName }.Where(n => !string.IsNullOrWhiteSpace(n)));
        return
        [
            new InboundMessage
            {
                Channel = ChannelName,
                // Message ids are per chat: the pair is unique, and a redelivered update is recognised as the same message.
                ExternalMessageId = string.Create(CultureInfo.InvariantCulture, $"{chat.Id}:{message.MessageId}"),
                Sender = new SenderIdentity(Name: name.Length > 0 ? name : message.From?.Username) { ExternalId = chat.Id.ToString(CultureInfo.InvariantCulture) },
                Text = text,
                Thread = new ThreadHints { JoinOpenTicketOfSender = true },
                ReceivedAt = message.Date > 0 ? DateTimeOffset.FromUnixTimeSeconds(message.Date) : null,
            },
        ];
    }
}

/// <summary>The part of Telegram's <c>Update</c> the channel reads.</summary>
public sealed record TelegramUpdate([property: JsonPropertyName("update_id")] long UpdateId, [property: JsonPropertyName("message")] TelegramMessage? Message);

/// <summary>The part of Telegram's <c>Message</c> the channel reads.</summary>
public sealed record TelegramMessage(
    [property: JsonPropertyName("message_id")] long MessageId,
    [property: JsonPropertyName("from")] TelegramUser? From,
    [property: JsonPropertyName("chat")] TelegramChat? Chat,
    [property: JsonPropertyName("date")] long Date,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("caption")] string? Caption);

/// <summary>A Telegram user.</summary>
public sealed record TelegramUser(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("first_name")] string? FirstName,
    [property: JsonPropertyName("last_name")] string? LastName,
    [property: JsonPropertyName("username")] string? Username);

/// <summary>A Telegram chat (for a bot's private chat, its id is the user's).</summary>
public sealed record TelegramChat([property: JsonPropertyName("id")] long Id);

/// <summary>What <c>sendMessage</c> answers.</summary>
public sealed record TelegramResponse(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("result")] TelegramSent? Result,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("parameters")] TelegramResponseParameters? Parameters);

/// <summary>The sent message's id.</summary>
public sealed record TelegramSent([property: JsonPropertyName("message_id")] long MessageId);

/// <summary>How long to wait after a 429.</summary>
public sealed record TelegramResponseParameters([property: JsonPropertyName("retry_after")] int? RetryAfter);

/// <summary><c>sendMessage</c>'s body.</summary>
public sealed record TelegramSendMessage([property: JsonPropertyName("chat_id")] string ChatId, [property: JsonPropertyName("text")] string Text);

[JsonSerializable(typeof(TelegramUpdate))]
[JsonSerializable(typeof(TelegramResponse))]
[JsonSerializable(typeof(TelegramSendMessage))]
internal sealed partial class TelegramJson : JsonSerializerContext;
