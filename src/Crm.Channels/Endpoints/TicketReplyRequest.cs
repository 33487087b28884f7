namespace Microsoft.AspNetCore.Builder;

/// <summary>The body of <c>POST /tickets/{id}/replies</c>.</summary>
/// <param name="Text">The agent's answer, sent on the ticket's channel.</param>
public sealed record TicketReplyRequest(string? Text);
