using System.Text.Json.Serialization;
using Crm.Channels.Ingestion;
using Crm.Channels.Tickets;
using Microsoft.AspNetCore.Http;

namespace Crm.Channels.Adapters;

/// <summary>What the sender of a message learns back: enough to continue the conversation, nothing about other customers.</summary>
/// <param name="Id">The ticket number.</param>
/// <param name="Channel">The ticket's channel.</param>
/// <param name="Status">The ticket's status, lower-case.</param>
/// <param name="ConversationId">The key to send with follow-ups so they join this ticket.</param>
/// <param name="MessageId">The stored message's id.</param>
/// <param name="Duplicate">True when the message had been stored before and nothing new was stored.</param>
public sealed record TicketReceipt(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("conversationId")] string ConversationId,
    [property: JsonPropertyName("messageId")] long MessageId,
    [property: JsonPropertyName("duplicate")] bool Duplicate)
{
    /// <summary>Builds the receipt for one ingestion result.</summary>
    public static TicketReceipt From(IngestionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new(result.Ticket.Id, result.Ticket.Channel, TicketStatusNames.ToApi(result.Ticket.Status), result.Ticket.ConversationKey, result.Message.Id, result.Outcome == IngestionOutcome.Duplicate);
    }

    /// <summary>
    /// 201 with the receipt (or 200 when nothing new was stored) for one message; for several, 200 or 201
    /// with an array of receipts.
    /// </summary>
    public static IResult DefaultResponse(IReadOnlyList<IngestionResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var anyStored = results.Any(r => r.Outcome != IngestionOutcome.Duplicate);
        var status = anyStored ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        return results.Count == 1
            ? Results.Json(From(results[0]), statusCode: status)
            : Results.Json(results.Select(From).ToList(), statusCode: status);
    }
}
