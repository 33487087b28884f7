using Crm.Campaigns.Campaigns;
using Crm.Events;

namespace Crm.Campaigns.Tracking;

/// <summary>
/// An unsubscribe a recipient asked for, however they asked (the link's page, one-click, a mail to the
/// <c>List-Unsubscribe</c> address): stored, then published as <c>contact.unsubscribed</c>.
/// </summary>
internal sealed class Unsubscriptions(ITrackingStore tracking, ICampaignStore campaigns, CrmEventPublisher events, TimeProvider time)
{
    /// <summary>Unsubscribes the recipient (idempotently); <paramref name="source"/> says how they asked (<c>link</c>, <c>mail</c>).</summary>
    /// <returns>False when the recipient is not in that campaign's ledger.</returns>
    public async Task<bool> UnsubscribeAsync(long campaignId, long recipientId, string source, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!await tracking.UnsubscribeAsync(campaignId, recipientId, now, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var email = await campaigns.GetRecipientEmailAsync(campaignId, recipientId, cancellationToken).ConfigureAwait(false);
        await events.PublishAsync(new ContactUnsubscribedEvent(campaignId, email, source) { Timestamp = now }, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
