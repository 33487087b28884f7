using Crm.Campaigns.Endpoints;
using Microsoft.AspNetCore.Routing;

namespace Crm.Admin.Routing;

/// <summary>
/// Where the host mapped the CRM's API (<c>MapCrmChannels()</c>, <c>MapBulkEmail()</c>), found by the endpoints' names:
/// the pages' scripts and downloads call it there, under any prefix or group the host chose. Null when it is not mapped.
/// </summary>
internal static class CrmApiLinks
{
    public static string? Reply(HttpContext context, long ticketId) => PathOf(context, "CrmTicketReply", new() { ["id"] = ticketId });

    public static string? Outbound(HttpContext context) => PathOf(context, "CrmTicketOutbound", []);

    public static string? Attachment(HttpContext context, long ticketId, string key) => PathOf(context, "CrmTicketAttachment", new() { ["id"] = ticketId, ["key"] = key });

    public static string? QuarantineRaw(HttpContext context, long id) => PathOf(context, "CrmQuarantineRaw", new() { ["id"] = id });

    public static string? Campaign(HttpContext context, long id) => PathOf(context, BulkEmailEndpointNames.Get, new() { ["id"] = id });

    public static string? RecipientCount(HttpContext context) => PathOf(context, "CrmCampaignRecipientCount", []);

    public static string? Preview(HttpContext context) => PathOf(context, "CrmCampaignPreview", []);

    private static string? PathOf(HttpContext context, string name, RouteValueDictionary values)
        => context.RequestServices.GetRequiredService<LinkGenerator>().GetPathByName(context, name, values);
}
