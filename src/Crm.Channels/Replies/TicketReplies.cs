using Crm.Channels.Ingestion;
using Crm.Channels.Storage;
using Crm.Channels.Tickets;
using Microsoft.Extensions.Logging;

namespace Crm.Channels.Replies;

/// <summary>What became of an agent's reply.</summary>
internal enum ReplyOutcomeKind
{
    Queued,
    TicketNotFound,
    NoSender,
    Refused,
}

/// <summary>Stores agents' replies in the outbox (the only way a reply leaves): checked by the channel first, then queued and the outbox woken.</summary>
internal sealed class TicketReplies(
    ITicketStore store,
    IEnumerable<IChannelReplySender> senders,
    IEnumerable<ITicketEventHandler> handlers,
    ConversationChanges changes,
    TimeProvider timeProvider,
    ILogger<TicketReplies> logger)
{
    /// <summary>Queues a reply on the ticket's channel.</summary>
    public async Task<(ReplyOutcomeKind Kind, TicketMessage? Reply, string? Reason)> QueueAsync(
        long ticketId, string text, ReplyTemplate? template, string? author, CancellationToken cancellationToken)
    {
        var details = await store.GetTicketDetailsAsync(ticketId, cancellationToken).ConfigureAwait(false);
        if (details is null)
        {
            return (ReplyOutcomeKind.TicketNotFound, null, null);
        }

        var sender = senders.LastOrDefault(s => s.Channel == details.Ticket.Channel);
        if (sender is null)
        {
            return (ReplyOutcomeKind.NoSender, null, $"No reply sender is configured for channel '{details.Ticket.Channel}'.");
        }

        var now = timeProvider.GetUtcNow();
        if (sender.Refuse(details, template, now) is { } reason)
        {
            return (ReplyOutcomeKind.Refused, null, reason);
        }

        var message = new NewTicketMessage(details.Ticket.Channel, sender.NewMessageId(details), MessageDirection.Outbound, author, text, null, [], now)
        {
            DeliveryStatus = DeliveryStatus.Queued,
            Template = template,
        };

        // Answered: the ticket now waits on the customer.
        var (ticket, stored) = await store.AppendMessageAsync(ticketId, message, TicketStatus.Pending, cancellationToken).ConfigureAwait(false);
        changes.Notify();
        await TicketEvents.RaiseAsync(handlers, new TicketEvent(TicketEventKind.ReplyQueued, ticket, stored, false), logger, cancellationToken).ConfigureAwait(false);
        return (ReplyOutcomeKind.Queued, stored, null);
    }
}
