using Crm.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.ApplicationModels;

namespace Crm.Admin.Routing;

/// <summary>Marks the endpoints of the admin's pages, so the host's conventions on <c>MapCrmAdmin(...)</c> reach them only.</summary>
internal sealed class CrmAdminPageMetadata
{
    public static readonly CrmAdminPageMetadata Instance = new();
}

/// <summary>
/// Gives each admin page its route below the mapped prefix and its authorization: the agents' policy on every page,
/// the marketing policy as well on bulk email and the outbox. A page of a feature the host did not add gets no route.
/// </summary>
internal sealed class CrmAdminPageConventions(CrmAdminSite site) : IPageRouteModelConvention, IPageApplicationModelConvention
{
    public void Apply(PageRouteModel model)
    {
        if (!string.Equals(model.AreaName, CrmAdminSite.Area, StringComparison.Ordinal))
        {
            return;
        }

        var path = model.ViewEnginePath;
        var served = site.Prefix is not null
            && (site.HasConversations || !IsIn(path, "/Tickets"))
            && (site.HasCampaigns || !(IsIn(path, "/BulkEmail") || IsIn(path, "/Contacts")))
            && (site.HasWebhooks || !IsIn(path, "/Webhooks"))
            && (site.HasMailboxes || !IsIn(path, "/Mailboxes"));
        for (var i = model.Selectors.Count - 1; i >= 0; i--)
        {
            var route = model.Selectors[i].AttributeRouteModel;
            var template = route?.Template?.TrimStart('/');
            if (!served || route is null || template is null || !template.StartsWith(CrmAdminSite.Placeholder, StringComparison.Ordinal))
            {
                // Only the page's own route, moved below the prefix; never the area's default one (/CrmAdmin/...).
                model.Selectors.RemoveAt(i);
                continue;
            }

            route.Template = site.Prefix!.TrimStart('/') + template[CrmAdminSite.Placeholder.Length..];
        }

        foreach (var selector in model.Selectors)
        {
            selector.EndpointMetadata.Add(CrmAdminPageMetadata.Instance);
            selector.EndpointMetadata.Add(new ProtectedEndpointMetadata("MapCrmAdmin(\"/crm-admin\", options => options.AgentsPolicy = \"YourAgentsPolicy\")"));
            selector.EndpointMetadata.Add(new AuthorizeAttribute(site.Options.AgentsPolicy));
            if (IsMarketing(path))
            {
                selector.EndpointMetadata.Add(new AuthorizeAttribute(site.Options.MarketingPolicy));
            }

            if (IsIn(path, "/Webhooks") || IsIn(path, "/Mailboxes"))
            {
                selector.EndpointMetadata.Add(new AuthorizeAttribute(site.Options.ManagersPolicy));
            }
        }
    }

    public void Apply(PageApplicationModel model)
    {
        if (string.Equals(model.AreaName, CrmAdminSite.Area, StringComparison.Ordinal))
        {
            model.Filters.Add(new CrmAdminResponseHeaders());
        }
    }

    /// <summary>Bulk email and the outbox of its sender.</summary>
    public static bool IsMarketing(string viewEnginePath) => IsIn(viewEnginePath, "/BulkEmail");

    private static bool IsIn(string viewEnginePath, string folder)
        => viewEnginePath.StartsWith(folder + "/", StringComparison.OrdinalIgnoreCase);
}
