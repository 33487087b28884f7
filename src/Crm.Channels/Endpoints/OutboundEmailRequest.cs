using System.Text.Json.Serialization;

namespace Crm.Channels.Endpoints;

/// <summary>The body of <c>POST /tickets/outbound</c>: an email an agent starts a conversation with.</summary>
/// <param name="Inbox">The inbox it goes out from (its From, signature and transport), which answers the conversation; unset: the default inbox.</param>
/// <param name="To">The customer's address; their contact is created when new.</param>
/// <param name="Subject">The subject; the ticket's tag (<c>[#id]</c>) is added to it.</param>
/// <param name="Text">The mail.</param>
public sealed record OutboundEmailRequest(
    [property: JsonPropertyName("inbox")] string? Inbox,
    [property: JsonPropertyName("to")] string? To,
    [property: JsonPropertyName("subject")] string? Subject,
    [property: JsonPropertyName("text")] string? Text)
{
    /// <summary>Addresses to copy in (kept on the ticket, as a customer's Cc is).</summary>
    [JsonPropertyName("cc")]
    public IReadOnlyList<string>? Cc { get; init; }
}
