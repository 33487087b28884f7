using Crm.Channels.Tickets;

namespace Crm.Channels.Storage;

/// <summary>A filter and page over tickets.</summary>
/// <param name="Channel">Only this channel, when set.</param>
/// <param name="Status">Only this status, when set.</param>
/// <param name="Page">1-based page number.</param>
/// <param name="PageSize">Tickets per page.</param>
public sealed record TicketQuery(string? Channel = null, TicketStatus? Status = null, int Page = 1, int PageSize = 50);
