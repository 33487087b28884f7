using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The body of <c>PATCH /tickets/{id}</c>.</summary>
/// <param name="Status">The new status: open, pending, solved or closed.</param>
public sealed record TicketUpdateRequest(string? Status);
