using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Crm.Channels.Attachments;
using Crm.Channels.Replies;
using Crm.Channels.Storage;
using Crm.Channels.Tickets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Chat;

/// <summary>
/// The visitor's side of a chat conversation: <c>GET /chat/conversations/{id}/messages</c> (the transcript) and
/// <c>GET /chat/conversations/{id}/events</c> (server-sent events, one <c>message</c> event per new message, resumable
/// with <c>Last-Event-ID</c>). Both need the conversation's visitor token, as bearer or <c>access_token</c>.
/// </summary>
internal static class ChatConversationEndpoints
{
    /// <summary>The most messages one transcript answer or one stream round carries.</summary>
    private const int PageSize = 200;

    public static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/chat/conversations/{conversationId}").WithTags("Chat");
        group.MapGet("/messages", TranscriptAsync).WithName("CrmChatTranscript")
            .WithSummary("The visitor's transcript (bearer visitorToken), oldest first; ?after= a message id for the newer ones")
            .Produces<IReadOnlyList<ConversationMessage>>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        // Server-sent events have no schema language in OpenAPI 3.1: described here, their data is a ConversationMessage.
        group.MapGet("/events", StreamAsync).WithName("CrmChatEvents")
            .WithSummary("Server-sent events: one 'message' event per new message (id: message id, data: a ConversationMessage as JSON); resumable with Last-Event-ID; token as bearer or access_token")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream").ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return group;
    }

    private static async Task<IResult> TranscriptAsync(
        string conversationId, long? after, HttpContext context, ITicketStore store, ITicketQueryStore history, VisitorTokens tokens, AttachmentLinks links, CancellationToken cancellationToken)
    {
        var (ticket, refusal) = await AuthorizeAsync(conversationId, context.Request, store, tokens, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        var messages = await history.GetMessagesAfterAsync(ticket!.Id, Math.Max(0, after ?? 0), PageSize, cancellationToken).ConfigureAwait(false);
        await MarkDeliveredAsync(context.RequestServices.GetRequiredService<DeliveryStatusUpdates>(), messages, cancellationToken).ConfigureAwait(false);
        await links.EnsureKeyAsync(cancellationToken).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(Visible(messages, links, context).ToList(), ChatJsonContext.Default.IReadOnlyListConversationMessage);
    }

    private static async Task StreamAsync(
        string conversationId, HttpContext context, ITicketStore store, ITicketQueryStore history, VisitorTokens tokens, AttachmentLinks links, ConversationChanges changes, ChatStreamLimits limits,
        IOptions<ChatOptions> options, TimeProvider timeProvider, IHostApplicationLifetime lifetime)
    {
        var (ticket, refusal) = await AuthorizeAsync(conversationId, context.Request, store, tokens, context.RequestAborted).ConfigureAwait(false);
        if (refusal is not null)
        {
            await refusal.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        using var lease = limits.TryOpen(ticket!.Id, ClientAddress.KeyOf(context.Connection.RemoteIpAddress));
        if (lease is null)
        {
            context.Response.Headers.RetryAfter = "30";
            await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many open streams",
                detail: "This address has as many chat event streams open as it may; close one, or try again later.").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        // A stream ends when the visitor leaves, a newer stream of the conversation replaces it, or the host stops: open
        // streams must not hold up a graceful shutdown (the browser reconnects, with Last-Event-ID, and loses nothing).
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping, lease.Replaced);
        var cancellationToken = ended.Token;

        await links.EnsureKeyAsync(cancellationToken).ConfigureAwait(false);
        var lastId = LastEventId(context.Request);
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        // Tells nginx-style proxies not to buffer the stream.
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();

        var settings = options.Value;
        var closeAt = timeProvider.GetUtcNow() + settings.MaxStreamDuration;
        using var watch = changes.Watch(ticket.Id);
        try
        {
            await response.WriteAsync("retry: 3000\n\n", cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            while (!cancellationToken.IsCancellationRequested && timeProvider.GetUtcNow() < closeAt)
            {
                // Taken before reading: a message written while this round reads wakes the next wait at once.
                var changed = changes.WaitAsync(ticket.Id, settings.HeartbeatInterval, cancellationToken);
                IReadOnlyList<TicketMessage> messages;
                do
                {
                    messages = await history.GetMessagesAfterAsync(ticket.Id, lastId, PageSize, cancellationToken).ConfigureAwait(false);
                    foreach (var message in Visible(messages, links, context))
                    {
                        await response.WriteAsync(EventFor(message), cancellationToken).ConfigureAwait(false);
                    }

                    if (messages.Count > 0)
                    {
                        lastId = messages[^1].Id;
                        await MarkDeliveredAsync(context.RequestServices.GetRequiredService<DeliveryStatusUpdates>(), messages, cancellationToken).ConfigureAwait(false);
                    }
                }
                while (messages.Count == PageSize);

                await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (!await changed.ConfigureAwait(false))
                {
                    // A comment line: EventSource ignores it, proxies see traffic and keep the connection.
                    await response.WriteAsync(": heartbeat\n\n", cancellationToken).ConfigureAwait(false);
                    await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The visitor left, or the host is stopping.
        }
    }

    private static async Task<(Ticket? Ticket, IResult? Refusal)> AuthorizeAsync(
        string conversationId, HttpRequest request, ITicketStore store, VisitorTokens tokens, CancellationToken cancellationToken)
    {
        var token = ChatAdapter.BearerToken(request) ?? request.Query["access_token"].ToString();
        if (string.IsNullOrEmpty(token))
        {
            return (null, Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Visitor token required",
                detail: "Send the conversation's visitorToken as 'Authorization: Bearer {visitorToken}' (or access_token for EventSource)."));
        }

        // The token is checked before the store is asked, so a wrong token learns nothing about which ids exist.
        if (conversationId.Length > 128 || !await tokens.VerifyAsync(conversationId, token, cancellationToken).ConfigureAwait(false))
        {
            return (null, Forbidden());
        }

        var ticket = await store.FindTicketByConversationKeyAsync(conversationId, cancellationToken).ConfigureAwait(false);
        return ticket is null || ticket.Channel != ChatAdapter.ChannelName ? (null, Forbidden()) : (ticket, null);

        static IResult Forbidden() => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your conversation", detail: "The visitor token does not belong to this conversation.");
    }

    private static long LastEventId(HttpRequest request)
    {
        var value = request.Headers["Last-Event-ID"].ToString();
        if (string.IsNullOrEmpty(value))
        {
            value = request.Query["lastEventId"].ToString();
        }

        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;
    }

    /// <summary>
    /// What the visitor sees: the chat's messages (not email copies or a continuation by email) that were not refused.
    /// </summary>
    private static IEnumerable<ConversationMessage> Visible(IEnumerable<TicketMessage> messages, AttachmentLinks links, HttpContext context) => messages
        .Where(m => m.Channel == ChatAdapter.ChannelName && m.DeliveryStatus != DeliveryStatus.Failed)
        .Select(m => new ConversationMessage(
            m.Id, m.Direction == MessageDirection.Inbound ? "inbound" : "outbound", m.Author, m.Text, m.ReceivedAt,
            m.Attachments.Select(a => new ConversationAttachment(a.FileName, a.ContentType, a.Size, a.StorageKey is null ? null : links.PathFor(context, m.TicketId, a.StorageKey))).ToList()));

    private static string EventFor(ConversationMessage message)
    {
        // JSON has no raw line breaks, so one data: line carries the whole message.
        var json = JsonSerializer.Serialize(message, ChatJsonContext.Default.ConversationMessage);
        return new StringBuilder().Append("id: ").Append(message.Id.ToString(CultureInfo.InvariantCulture))
            .Append("\nevent: message\ndata: ").Append(json).Append("\n\n").ToString();
    }

    /// <summary>An agent's reply the visitor's widget has received is delivered (even when the outbox has not yet recorded it sent).</summary>
    private static async Task MarkDeliveredAsync(DeliveryStatusUpdates deliveries, IReadOnlyList<TicketMessage> messages, CancellationToken cancellationToken)
    {
        foreach (var message in messages.Where(m => m.Direction == MessageDirection.Outbound && m.DeliveryStatus is DeliveryStatus.Queued or DeliveryStatus.Sent))
        {
            await deliveries.UpdateAsync(message.Channel, message.ExternalMessageId, DeliveryStatus.Delivered, null, cancellationToken).ConfigureAwait(false);
        }
    }
}
