using Crm.Channels.Adapters;
using Crm.Channels.DependencyInjection;
using Crm.Channels.Ingestion;
using Crm.Channels.Storage;
using Crm.Channels.Tickets;
using Crm.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Crm.Channels.Endpoints;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The body of <c>PATCH /tickets/{id}</c>.</summary>
/// <param name="Status">The new status: open, pending, solved or closed.</param>
public sealed record TicketUpdateRequest(string? Status);
