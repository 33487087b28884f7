using Crm.Storage.EfCore.Entities;
using Crm.Campaigns.Contacts;

namespace Crm.Storage.EfCore.Campaigns.Entities;

/// <summary>Maps the shared contacts row's status to the campaigns' <see cref="MarketingStatus"/> and back, member for member.</summary>
internal static class ContactMarketingStatusMapping
{
    public static MarketingStatus ToDomain(this ContactMarketingStatus status) => status switch
    {
        ContactMarketingStatus.Subscribed => MarketingStatus.Subscribed,
        ContactMarketingStatus.Unsubscribed => MarketingStatus.Unsubscribed,
        ContactMarketingStatus.Bounced => MarketingStatus.Bounced,
        ContactMarketingStatus.Complained => MarketingStatus.Complained,
        ContactMarketingStatus.Pending => MarketingStatus.Pending,
        ContactMarketingStatus.None => MarketingStatus.None,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "A marketing status this version does not know."),
    };
}
