using System.Text.Json.Serialization;

namespace Crm.Channels.Endpoints;

/// <summary>The body of <c>POST /tickets/{id}/replies</c>.</summary>
/// <param name="Text">The agent's answer, sent on the ticket's channel (with a template: what the agents see of it).</param>
/// <param name="ContentSid">WhatsApp only: a Twilio Content template to send instead of free text (allowed outside the 24-hour window).</param>
/// <param name="ContentVariables">WhatsApp only: the template's variables, e.g. <c>{ "1": "Ada" }</c>.</param>
public sealed record TicketReplyRequest(
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("contentSid")] string? ContentSid = null,
    [property: JsonPropertyName("contentVariables")] IReadOnlyDictionary<string, string>? ContentVariables = null)
{
    /// <summary>Email: the addresses to copy in, replacing the ticket's Cc (an empty list removes them all); unset keeps it.</summary>
    [JsonPropertyName("cc")]
    public IReadOnlyList<string>? Cc { get; init; }
}
