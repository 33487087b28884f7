namespace Crm.Channels.Endpoints;

/// <summary>The body of <c>PATCH /tickets/{id}</c>.</summary>
/// <param name="Status">The new status: open, pending, solved or closed.</param>
public sealed record TicketUpdateRequest(string? Status);
