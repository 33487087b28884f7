using Crm.Channels.Storage;
using Crm.Channels.Tickets;
using Crm.Events;

namespace Crm.Channels.Replies;

/// <summary>
/// A channel's report on a reply (Twilio's status callbacks, the chat widget's receipt), stored and published as
/// <c>ticket.reply_delivery_changed</c> when it moved the reply on; a late or repeated report that changes nothing
/// (read stays read) publishes nothing.
/// </summary>
internal sealed class DeliveryStatusUpdates(IReplyOutboxStore store, CrmEventPublisher events, TimeProvider time)
{
    /// <returns>The message as stored afterwards, or null when no outbound message has that id.</returns>
    public async Task<TicketMessage?> UpdateAsync(string channel, string externalMessageId, DeliveryStatus status, string? error, CancellationToken cancellationToken)
    {
        var updated = await store.UpdateDeliveryStatusAsync(channel, externalMessageId, status, error, cancellationToken).ConfigureAwait(false);
        if (updated?.DeliveryStatus == status)
        {
            await events.PublishAsync(TicketCrmEvents.DeliveryOf(updated, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }

        return updated;
    }
}
