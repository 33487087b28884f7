using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Crm.Channels.Replies;
using Crm.Channels.Tickets;
using Microsoft.Extensions.Options;

namespace Crm.Samples.Telegram;

/// <summary>
/// Sends an agent's reply with the Bot API's <c>sendMessage</c> to the chat the ticket's contact wrote from (its
/// <c>telegram</c> id in <see cref="ContactSummary.ExternalIds"/>). Registered as a typed <see cref="HttpClient"/>, so
/// the outbox resolves it per send with the client configured for it.
/// </summary>
public sealed class TelegramReplySender(HttpClient http, IOptions<TelegramOptions> options) : IChannelReplySender
{
    /// <summary>Telegram's limit for one message's text.</summary>
    public const int MaxTextLength = 4096;

    /// <inheritdoc />
    public string Channel => TelegramAdapter.ChannelName;

    /// <inheritdoc />
    public string? Refuse(TicketDetails ticket, ReplyTemplate? template, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        return ticket.Contact?.ExternalIds.ContainsKey(Channel) == true
            ? null
            : "This ticket's contact has no Telegram chat to answer in.";
    }

    /// <inheritdoc />
    public async Task<ReplyDelivery> SendAsync(TicketDetails ticket, TicketMessage reply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        ArgumentNullException.ThrowIfNull(reply);
        if (ticket.Contact?.ExternalIds.GetValueOrDefault(Channel) is not { } chatId)
        {
            throw new ChannelReplyException("This ticket's contact has no Telegram chat to answer in.", permanent: true);
        }

        if (reply.Text.Length > MaxTextLength)
        {
            throw new ChannelReplyException($"Telegram takes at most {MaxTextLength} characters in a message.", permanent: true);
        }

        // Concatenated, not combined: a token holds a colon ("123456:ABC…"), which a relative URI would read as a scheme.
        var url = new Uri($"{options.Value.ApiBaseUrl.AbsoluteUri.TrimEnd('/')}/bot{options.Value.BotToken}/sendMessage");
        using var response = await http.PostAsJsonAsync(url, new TelegramSendMessage(chatId, reply.Text), TelegramJson.Default.TelegramSendMessage, cancellationToken).ConfigureAwait(false);
        var answer = await ReadAsync(response, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode && answer?.Ok == true && answer.Result is { } sent)
        {
            return new ReplyDelivery(string.Create(CultureInfo.InvariantCulture, $"{chatId}:{sent.MessageId}"));
        }

        // 429 and 5xx pass; 400 (a bad chat), 401 (a bad token) and 403 (the user blocked the bot) do not. The answer's
        // description is Telegram's own words; the URL, which carries the token, is never part of the message.
        var why = $"Telegram answered {(int)response.StatusCode}: {answer?.Description ?? response.ReasonPhrase}";
        var temporary = response.StatusCode is HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
        throw new ChannelReplyException(answer?.Parameters?.RetryAfter is { } wait ? $"{why} (retry after {wait} s)" : why, permanent: !temporary);
    }

    private static async Task<TelegramResponse?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(TelegramJson.Default.TelegramResponse, cancellationToken).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
