namespace Crm.Campaigns.Contacts;

/// <summary>Whether a contact may receive marketing mail.</summary>
public enum MarketingStatus
{
    /// <summary>May receive campaigns.</summary>
    Subscribed,

    /// <summary>Asked to receive no more marketing mail: never sent another campaign.</summary>
    Unsubscribed,

    /// <summary>The address bounced: never sent another campaign.</summary>
    Bounced,

    /// <summary>Reported our mail as spam: never sent another campaign.</summary>
    Complained,

    /// <summary>Subscribed through the public form and not yet confirmed (double opt-in): receives no campaign until confirmed.</summary>
    Pending,

    /// <summary>
    /// Known from a support conversation (chat, email, WhatsApp), never asked for marketing mail: receives no campaign.
    /// Consent is per purpose: only an import, the double opt-in or an explicit API call makes someone a recipient.
    /// </summary>
    None,
}

/// <summary>A client of the CRM, as campaigns see it.</summary>
/// <param name="Id">The id.</param>
/// <param name="Email">Lower-cased email address.</param>
/// <param name="Name">Display name.</param>
/// <param name="Phone">E.164 phone.</param>
/// <param name="Tags">Tags, for segments.</param>
/// <param name="Attributes">Named values, for segments and personalisation.</param>
/// <param name="MarketingStatus">Whether campaigns may be sent.</param>
/// <param name="CreatedAt">When the contact was created.</param>
public sealed record Contact(
    long Id,
    string? Email,
    string? Name,
    string? Phone,
    IReadOnlyList<string> Tags,
    IReadOnlyDictionary<string, string> Attributes,
    MarketingStatus MarketingStatus,
    DateTimeOffset CreatedAt);

/// <summary>One row of a contact import, validated and normalised.</summary>
/// <param name="Email">Lower-cased email, the upsert key.</param>
/// <param name="Name">Display name, or null to keep the stored one.</param>
/// <param name="Phone">E.164 phone, or null to keep the stored one.</param>
/// <param name="Tags">Tags to set, or null to keep the stored ones.</param>
/// <param name="Attributes">Attributes to set, or null to keep the stored ones.</param>
public sealed record ContactUpsert(string Email, string? Name, string? Phone, IReadOnlyList<string>? Tags, IReadOnlyDictionary<string, string>? Attributes)
{
    /// <summary>
    /// Whether the row makes the contact a marketing recipient: null (the default) subscribes new contacts and
    /// contacts known only from support (<see cref="MarketingStatus.None"/>); false adds or updates the contact without
    /// subscribing it. Never overrides an unsubscribe, bounce, complaint or pending confirmation.
    /// </summary>
    public bool? Subscribe { get; init; }
}

/// <summary>What an import did.</summary>
/// <param name="Created">Rows that created a contact.</param>
/// <param name="Updated">Rows that updated one.</param>
/// <param name="Rejected">Rows refused, with why.</param>
public sealed record ContactImportResult(int Created, int Updated, IReadOnlyList<RejectedContactRow> Rejected);

/// <summary>What <see cref="IContactDirectory.UpsertAsync"/> did.</summary>
/// <param name="Created">Contacts added.</param>
/// <param name="Updated">Contacts that existed and were updated.</param>
/// <param name="CreatedContacts">The added ones: their ids and addresses (each is published as <c>contact.created</c>).</param>
public sealed record ContactUpsertResult(int Created, int Updated, IReadOnlyList<CreatedContact> CreatedContacts);

/// <summary>A contact an upsert added.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Email">Its address.</param>
public sealed record CreatedContact(long Id, string Email);

/// <summary>An import row that was refused.</summary>
/// <param name="Row">Its 0-based position in the request.</param>
/// <param name="Email">Its email as sent, if any.</param>
/// <param name="Reasons">Why it was refused.</param>
public sealed record RejectedContactRow(int Row, string? Email, IReadOnlyList<string> Reasons);

/// <summary>A page of contacts.</summary>
/// <param name="Items">The contacts.</param>
/// <param name="Page">1-based page.</param>
/// <param name="PageSize">Page size.</param>
/// <param name="Total">Contacts matching the filter.</param>
public sealed record ContactPage(IReadOnlyList<Contact> Items, int Page, int PageSize, int Total);
