using Crm.Channels.Tickets;

namespace Crm.Channels.Storage;

/// <summary>One page of tickets.</summary>
/// <param name="Items">The tickets on this page.</param>
/// <param name="Page">1-based page number.</param>
/// <param name="PageSize">Tickets per page.</param>
/// <param name="Total">How many tickets match the filter.</param>
public sealed record TicketPage(IReadOnlyList<Ticket> Items, int Page, int PageSize, int Total);
