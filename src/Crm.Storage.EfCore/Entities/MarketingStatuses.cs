namespace Crm.Storage.EfCore.Entities;

/// <summary>The values of <see cref="ContactRecord.MarketingStatus"/>.</summary>
internal static class MarketingStatuses
{
    /// <summary>May receive marketing mail.</summary>
    public const string Subscribed = "subscribed";

    /// <summary>Asked not to receive marketing mail.</summary>
    public const string Unsubscribed = "unsubscribed";

    /// <summary>The address bounced.</summary>
    public const string Bounced = "bounced";
}
