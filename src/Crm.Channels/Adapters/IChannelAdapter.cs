using Crm.Channels.Ingestion;
using Microsoft.AspNetCore.Http;

namespace Crm.Channels.Adapters;

/// <summary>
/// Turns one transport's webhook payload into normalised <see cref="InboundMessage"/>s. The endpoint
/// <c>POST /tickets?channel={Channel}</c> hands the request to the adapter whose <see cref="Channel"/> matches,
/// then runs each message through the <see cref="IIngestionPipeline"/>.
/// </summary>
/// <remarks>
/// Refuse a request by throwing <see cref="ChannelRequestException"/> with the status to answer
/// (401/403 for failed authentication, 400 for malformed input, 413 for oversized input, 415 for the
/// wrong content type): nothing is stored then.
/// </remarks>
public interface IChannelAdapter
{
    /// <summary>The channel name in the query string and on stored messages (<c>a-z</c>, <c>0-9</c>, <c>-</c>, <c>_</c>).</summary>
    string Channel { get; }

    /// <summary>Reads, authenticates and parses one request.</summary>
    /// <exception cref="ChannelRequestException">The request is refused.</exception>
    ValueTask<IReadOnlyList<InboundMessage>> ReadAsync(HttpRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// The answer to the transport once every message was ingested. The default answers <c>201 Created</c>
    /// with a <see cref="TicketReceipt"/> when something new was stored and <c>200 OK</c> for a redelivery;
    /// override it when the transport expects something else (TwiML, 204).
    /// </summary>
    IResult CreateResponse(IReadOnlyList<IngestionResult> results) => TicketReceipt.DefaultResponse(results);
}
