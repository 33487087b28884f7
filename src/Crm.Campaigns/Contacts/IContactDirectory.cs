using Crm.Campaigns.Segments;

namespace Crm.Campaigns.Contacts;

/// <summary>The contacts campaigns are sent to: import, list, count segments, and record bounces and unsubscribes.</summary>
public interface IContactDirectory
{
    /// <summary>Creates or updates contacts by email, atomically per call.</summary>
    /// <returns>How many were created and updated.</returns>
    Task<(int Created, int Updated)> UpsertAsync(IReadOnlyList<ContactUpsert> contacts, DateTimeOffset now, CancellationToken cancellationToken);

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

    /// <summary>Marks the contact with this address bounced; it gets no more campaigns.</summary>
    /// <returns>True when a contact had that address.</returns>
    Task<bool> MarkBouncedAsync(string email, DateTimeOffset now, CancellationToken cancellationToken);
}
