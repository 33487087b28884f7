using Crm.Admin.Routing;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the CRM's admin UI; map it with <c>app.MapCrmAdmin(...)</c>.</summary>
public static class CrmAdminServiceCollectionExtensions
{
    /// <summary>
    /// Adds the admin pages (Razor Pages from this package) and what they need. Nothing is served until
    /// <c>app.MapCrmAdmin(...)</c> names where, and who may open it. Safe to call twice.
    /// </summary>
    public static IServiceCollection AddCrmAdmin(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(CrmAdminSite)))
        {
            return services;
        }

        var site = new CrmAdminSite();
        services.AddSingleton(site);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionDescriptorChangeProvider>(site));
        services.AddSingleton<CrmAdminAssets>();
        var conventions = new CrmAdminPageConventions(site);
        // Added once: the collection applies it as both the route and the application convention it is.
        services.AddRazorPages(options => options.Conventions.Add(conventions))
            .AddApplicationPart(typeof(CrmAdminSite).Assembly);
        return services;
    }
}
