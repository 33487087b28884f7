namespace Crm.Storage.EfCore.Entities;

/// <summary>
/// A contact row's marketing status, kept here because the contacts table is shared by both features and this package
/// depends on neither: Crm.Storage.EfCore.Campaigns maps it to and from its <c>MarketingStatus</c> one member for one
/// (same names, stored lower-case by <see cref="LowerCaseEnumConverter{TEnum}"/>).
/// </summary>
internal enum ContactMarketingStatus
{
    /// <summary>May receive campaigns.</summary>
    Subscribed,

    /// <summary>Asked to receive no more marketing mail.</summary>
    Unsubscribed,

    /// <summary>The address bounced.</summary>
    Bounced,

    /// <summary>Reported the mail as spam.</summary>
    Complained,

    /// <summary>Waiting for a double opt-in confirmation.</summary>
    Pending,

    /// <summary>Known from support conversations only; never asked for marketing mail.</summary>
    None,
}
