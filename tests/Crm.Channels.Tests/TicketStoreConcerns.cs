using Crm.Channels.Storage;
using Crm.Channels.Tickets;

namespace Crm.Channels.Tests;

/// <summary>
/// The store suites drive each store through all its concerns: the built-in stores implement every ticket store interface,
/// so a test holding the <see cref="ITicketStore"/> reaches the others through these.
/// </summary>
internal static class TicketStoreConcerns
{
    public static Task<ContactSummary> ResolveContactAsync(this ITicketStore store, ExternalIdentity? external, string? email, string? phone, string? name, bool senderVerified, DateTimeOffset now, CancellationToken cancellationToken) => ((ITicketContactStore)store).ResolveContactAsync(external, email, phone, name, senderVerified, now, cancellationToken);

    public static Task<TicketPage> ListTicketsAsync(this ITicketStore store, TicketQuery query, CancellationToken cancellationToken) => ((ITicketQueryStore)store).ListTicketsAsync(query, cancellationToken);

    public static Task<IReadOnlyList<TicketMessage>> GetMessagesAfterAsync(this ITicketStore store, long ticketId, long afterMessageId, int max, CancellationToken cancellationToken) => ((ITicketQueryStore)store).GetMessagesAfterAsync(ticketId, afterMessageId, max, cancellationToken);

    public static Task<long> GetLatestMessageIdAsync(this ITicketStore store, CancellationToken cancellationToken) => ((ITicketQueryStore)store).GetLatestMessageIdAsync(cancellationToken);

    public static Task<IReadOnlyList<long>?> GetTicketsWithMessagesAfterAsync(this ITicketStore store, long afterMessageId, int max, CancellationToken cancellationToken) => ((ITicketQueryStore)store).GetTicketsWithMessagesAfterAsync(afterMessageId, max, cancellationToken);

    public static Task<IReadOnlyList<TicketMessage>> ClaimDueRepliesAsync(this ITicketStore store, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken) => ((IReplyOutboxStore)store).ClaimDueRepliesAsync(now, lease, max, cancellationToken);

    public static Task<DateTimeOffset?> NextReplyDueAsync(this ITicketStore store, CancellationToken cancellationToken) => ((IReplyOutboxStore)store).NextReplyDueAsync(cancellationToken);

    public static Task RecordReplyAttemptAsync(this ITicketStore store, long messageId, ReplyAttemptOutcome outcome, CancellationToken cancellationToken) => ((IReplyOutboxStore)store).RecordReplyAttemptAsync(messageId, outcome, cancellationToken);

    public static Task<TicketMessage?> UpdateDeliveryStatusAsync(this ITicketStore store, string channel, string externalMessageId, DeliveryStatus status, string? error, CancellationToken cancellationToken) => ((IReplyOutboxStore)store).UpdateDeliveryStatusAsync(channel, externalMessageId, status, error, cancellationToken);

    public static Task<IReadOnlyList<TicketMessage>> ClaimDueOfflineCopiesAsync(this ITicketStore store, DateTimeOffset now, int max, CancellationToken cancellationToken) => ((IReplyOutboxStore)store).ClaimDueOfflineCopiesAsync(now, max, cancellationToken);
}
