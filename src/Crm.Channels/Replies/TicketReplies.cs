using Crm.Channels.Ingestion;
using Crm.Channels.Storage;
using Crm.Channels.Tickets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Replies;

/// <summary>What became of an agent's reply.</summary>
internal enum ReplyOutcomeKind
{
    Queued,
    TicketNotFound,
    NoSender,
    Refused,
}

/// <summary>
/// Stores agents' replies in the outbox (the only way a reply leaves): on the channel the customer last wrote on (a chat
/// that continued by email is answered by email), checked by that channel first, then queued and the outbox woken.
/// </summary>
internal sealed class TicketReplies(
    ITicketStore store,
    IEnumerable<IChannelReplySender> senders,
    IEnumerable<ITicketEventHandler> handlers,
    Crm.Events.CrmEventPublisher events,
    ConversationChanges changes,
    IOptions<OfflineCopyOptions> offlineCopies,
    IOptions<Attachments.AttachmentOptions> attachmentOptions,
    TimeProvider timeProvider,
    ILogger<TicketReplies> logger)
{
    /// <summary>Queues a reply on the ticket's conversation.</summary>
    public Task<(ReplyOutcomeKind Kind, TicketMessage? Reply, string? Reason)> QueueAsync(
        long ticketId, string text, ReplyTemplate? template, IReadOnlyList<AttachmentInfo> files, string? author, CancellationToken cancellationToken)
        => QueueAsync(ticketId, text, template, files, author, null, cancellationToken);

    /// <summary>Queues a reply on the ticket's conversation; an email reply with <paramref name="cc"/> replaces the ticket's Cc with it.</summary>
    public async Task<(ReplyOutcomeKind Kind, TicketMessage? Reply, string? Reason)> QueueAsync(
        long ticketId, string text, ReplyTemplate? template, IReadOnlyList<AttachmentInfo> files, string? author, IReadOnlyList<string>? cc, CancellationToken cancellationToken)
    {
        var details = await store.GetTicketDetailsAsync(ticketId, cancellationToken).ConfigureAwait(false);
        if (details is null)
        {
            return (ReplyOutcomeKind.TicketNotFound, null, null);
        }

        var channel = details.Messages.LastOrDefault(m => m.Direction == MessageDirection.Inbound && SenderFor(m.Channel) is not null)?.Channel ?? details.Ticket.Channel;
        var sender = SenderFor(channel);
        if (sender is null)
        {
            return (ReplyOutcomeKind.NoSender, null, $"No reply sender is configured for channel '{channel}'.");
        }

        var now = timeProvider.GetUtcNow();
        if (cc is { Count: > 0 } && channel != Email.EmailReader.ChannelName)
        {
            return (ReplyOutcomeKind.Refused, null, $"Cc is for email; this reply goes out on {channel}.");
        }

        if ((sender.Refuse(details, template, now) ?? sender.RefuseAttachments(details, files) ?? OverTicketLimit(details, files)) is { } reason)
        {
            return (ReplyOutcomeKind.Refused, null, reason);
        }

        var emailCopyPossible = offlineCopies.Value.DelayByChannel.TryGetValue(channel, out var offlineAfter) && offlineAfter > TimeSpan.Zero
            && details.Contact?.Email is not null && SenderFor(OfflineCopyOptions.CopyChannel) is not null;
        var message = new NewTicketMessage(channel, sender.NewMessageId(details), MessageDirection.Outbound, author, text, null, files, now)
        {
            DeliveryStatus = DeliveryStatus.Queued,
            Template = template,
            OfflineCopyDueAt = emailCopyPossible ? now + offlineAfter : null,
            // The customer is never copied in on their own reply.
            TicketCc = cc is null ? null : [.. cc.Where(a => a != details.Contact?.Email)],
        };

        // Answered: the ticket now waits on the customer.
        var (ticket, stored) = await store.AppendMessageAsync(ticketId, message, TicketStatus.Pending, cancellationToken).ConfigureAwait(false);
        changes.Notify(ticket.Id);
        await TicketEvents.RaiseAsync(handlers, new TicketEvent(TicketEventKind.ReplyQueued, ticket, stored, false), logger, cancellationToken).ConfigureAwait(false);
        if (TicketCrmEvents.StatusChange(ticket.Id, details.Ticket.Status, ticket.Status, now) is { } answered)
        {
            await events.PublishAsync(answered, cancellationToken).ConfigureAwait(false);
        }

        return (ReplyOutcomeKind.Queued, stored, null);
    }

    /// <summary>
    /// Queues an email copy of a chat reply the visitor's widget never received: threaded by its own Message-ID, so the
    /// customer's email answer joins this ticket (and is then answered by email).
    /// </summary>
    public async Task<TicketMessage?> QueueEmailCopyAsync(TicketMessage chatReply, CancellationToken cancellationToken)
    {
        var sender = SenderFor(OfflineCopyOptions.CopyChannel);
        var details = await store.GetTicketDetailsAsync(chatReply.TicketId, cancellationToken).ConfigureAwait(false);
        if (sender is null || details is null || (sender.Refuse(details, null, timeProvider.GetUtcNow()) ?? sender.RefuseAttachments(details, chatReply.Attachments)) is not null)
        {
            return null;
        }

        var message = new NewTicketMessage(OfflineCopyOptions.CopyChannel, sender.NewMessageId(details), MessageDirection.Outbound, chatReply.Author, chatReply.Text, null, chatReply.Attachments, timeProvider.GetUtcNow())
        {
            DeliveryStatus = DeliveryStatus.Queued,
        };
        var (ticket, stored) = await store.AppendMessageAsync(details.Ticket.Id, message, details.Ticket.Status, cancellationToken).ConfigureAwait(false);
        changes.Notify(ticket.Id);
        await TicketEvents.RaiseAsync(handlers, new TicketEvent(TicketEventKind.ReplyQueued, ticket, stored, false), logger, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    private string? OverTicketLimit(TicketDetails details, IReadOnlyList<AttachmentInfo> files)
    {
        var limit = attachmentOptions.Value.MaxTicketBytes;
        var used = details.KeptAttachmentBytes;
        return files.Count > 0 && used + files.Sum(f => f.Size ?? 0) > limit
            ? $"The ticket's files would pass its limit of {limit} bytes ({used} bytes kept already)."
            : null;
    }

    private IChannelReplySender? SenderFor(string channel) => senders.LastOrDefault(s => s.Channel == channel);
}
