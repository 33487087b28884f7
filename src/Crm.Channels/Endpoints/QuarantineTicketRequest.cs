namespace Crm.Channels.Endpoints;

/// <summary>The body of <c>POST /tickets/quarantine/{id}/ticket</c>.</summary>
/// <param name="Email">The customer's address; required when the mail names no usable sender, else it replaces the sender.</param>
public sealed record QuarantineTicketRequest(string? Email);
