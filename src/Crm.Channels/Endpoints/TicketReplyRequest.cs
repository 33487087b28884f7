using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The body of <c>POST /tickets/{id}/replies</c>.</summary>
/// <param name="Text">The agent's answer, sent on the ticket's channel.</param>
public sealed record TicketReplyRequest(string? Text);
