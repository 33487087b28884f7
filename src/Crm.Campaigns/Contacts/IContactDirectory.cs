using Crm.Campaigns.Segments;

namespace Crm.Campaigns.Contacts;

/// <summary>The contacts campaigns are sent to: import, list, count segments, and record bounces and unsubscribes.</summary>
public interface IContactDirectory
{
    /// <summary>Creates or updates contacts by email, atomically per call.</summary>
    /// <returns>How many were created and updated.</returns>
    Task<ContactUpsertResult> UpsertAsync(IReadOnlyList<ContactUpsert> contacts, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Lists contacts having all <paramref name="tags"/>, oldest first.</summary>
    Task<ContactPage> ListAsync(IReadOnlyList<string> tags, int page, int pageSize, CancellationToken cancellationToken);

    /// <summary>The tags in use with how many contacts carry each, most used first.</summary>
    Task<IReadOnlyList<(string Tag, int Contacts)>> ListTagsAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Counts the contacts a campaign to this segment would be sent to now (subscribed, with an email).</summary>
    Task<int> CountRecipientsAsync(SegmentCriteria segment, CancellationToken cancellationToken);

    /// <summary>One contact, or null.</summary>
    Task<Contact?> GetContactAsync(long contactId, CancellationToken cancellationToken);

    /// <summary>
    /// Lifts a bounce: a <c>bounced</c> contact becomes <c>subscribed</c> (the address works again). An unsubscribed
    /// contact stays unsubscribed: only the person may undo that.
    /// </summary>
    /// <returns>The contact after the call, or null when there is none.</returns>
    Task<Contact?> ClearBounceAsync(long contactId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// A subscription request (double opt-in): a new address becomes a <see cref="MarketingStatus.Pending"/> contact; an
    /// existing contact is left as it is until the confirmation.
    /// </summary>
    /// <returns>The contact and its status now.</returns>
    Task<(long ContactId, MarketingStatus Status, bool Created)> RequestSubscriptionAsync(string email, string? name, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// A confirmed subscription, requested at <paramref name="requestedAt"/>: the contact is subscribed and gets the
    /// tags — only if its marketing status has not changed since the request. The link is therefore single-use (the
    /// confirmation itself is a change), and never undoes an unsubscribe, bounce or complaint that came after it; a
    /// fresh request after an unsubscribe is fresh consent and confirms.
    /// </summary>
    /// <returns>False when the contact no longer exists or its status changed since the request.</returns>
    Task<bool> ConfirmSubscriptionAsync(long contactId, IReadOnlyList<string> tags, DateTimeOffset requestedAt, DateTimeOffset now, CancellationToken cancellationToken);
}
