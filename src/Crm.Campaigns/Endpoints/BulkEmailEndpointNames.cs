namespace Crm.Campaigns.Endpoints;

/// <summary>The names of the endpoints <c>MapBulkEmail()</c> maps, for <c>LinkGenerator</c>.</summary>
public static class BulkEmailEndpointNames
{
    /// <summary><c>GET /bulk-email/{id}</c>.</summary>
    public const string Get = "CrmCampaignGet";

    /// <summary><c>GET /bulk-email/open/{campaignId}/{token}</c>.</summary>
    public const string Open = "CrmCampaignOpen";

    /// <summary><c>POST /bulk-email/unsubscribe/{campaignId}/{token}</c>.</summary>
    public const string Unsubscribe = "CrmCampaignUnsubscribe";
}
