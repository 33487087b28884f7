using Crm.Admin;
using Crm.Admin.Routing;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the CRM's admin UI.</summary>
public static class CrmAdminEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the admin UI below <paramref name="prefix"/>: the inbox, tickets and quarantine when conversations are
    /// added (<c>AddCrmChannels()</c>), contacts, bulk email and the pickup-folder outbox when campaigns are
    /// (<c>AddCrmCampaigns()</c> or <c>AddBulkEmail()</c>). Every page requires <see cref="CrmAdminOptions.AgentsPolicy"/>;
    /// bulk email and the outbox <see cref="CrmAdminOptions.MarketingPolicy"/> as well, the webhook pages (when
    /// <c>AddCrmWebhooks()</c> is added) <see cref="CrmAdminOptions.ManagersPolicy"/>. The pages' scripts call the CRM's
    /// API where <c>MapCrmChannels()</c> and <c>MapBulkEmail()</c> mapped it, with the sign-in cookie and the
    /// anti-forgery token, so the host authenticates its users with a cookie and grants the API to the same users.
    /// </summary>
    /// <returns>A builder for the admin's pages (e.g. <c>RequireHost</c>, a rate limit, a further policy).</returns>
    public static IEndpointConventionBuilder MapCrmAdmin(this IEndpointRouteBuilder endpoints, string prefix = "/crm-admin", Action<CrmAdminOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        var site = endpoints.ServiceProvider.GetService<CrmAdminSite>()
            ?? throw new InvalidOperationException("Call builder.Services.AddCrmAdmin() before app.MapCrmAdmin(...).");
        if (site.Prefix is not null)
        {
            throw new InvalidOperationException($"MapCrmAdmin was already called (at '{site.Prefix}'): the admin is mapped once.");
        }

        var path = "/" + prefix.Trim('/');
        if (path.Length == 1 || path.Contains("//", StringComparison.Ordinal) || path.IndexOfAny(['{', '}', '?', '#', '*']) >= 0)
        {
            throw new ArgumentException($"'{prefix}' is not a plain path for the admin (e.g. /crm-admin).", nameof(prefix));
        }

        var options = new CrmAdminOptions();
        configure?.Invoke(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.AgentsPolicy, "options.AgentsPolicy");
        ArgumentException.ThrowIfNullOrWhiteSpace(options.MarketingPolicy, "options.MarketingPolicy");
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ManagersPolicy, "options.ManagersPolicy");
        var assets = endpoints.ServiceProvider.GetRequiredService<CrmAdminAssets>();
        // Stylesheets and scripts only: public, so a host's sign-in page may use the admin's look too.
        endpoints.MapGet(path + "/assets/{name}", (string name, HttpContext context) => assets.Serve(name, context))
            .WithName("CrmAdminAsset").ExcludeFromDescription().AllowAnonymous();

        endpoints.MapRazorPages().Add(builder =>
        {
            if (builder.Metadata.Contains(CrmAdminPageMetadata.Instance))
            {
                foreach (var convention in site.Conventions)
                {
                    convention(builder);
                }
            }
        });
        // Last: mapping rebuilds the pages' routes, which must see the convention above.
        var registered = endpoints.ServiceProvider.GetRequiredService<IServiceProviderIsService>();
        site.Map(
            path,
            options,
            hasConversations: registered.IsService(typeof(Crm.Channels.Storage.ITicketStore)),
            hasCampaigns: registered.IsService(typeof(Crm.Campaigns.Campaigns.ICampaignStore)),
            hasWebhooks: registered.IsService(typeof(Crm.Webhooks.WebhookSubscriptions)) && registered.IsService(typeof(Crm.Webhooks.IWebhookStore)),
            // Only a host whose mail signs in with OAuth has mailboxes to show (and needs the Managers policy for them).
            hasMailboxes: endpoints.ServiceProvider.GetService<Crm.Mail.OAuth.MailOAuthTokens>()?.CurrentStates().Count > 0);

        return new CrmAdminConventionBuilder(site);
    }

    private sealed class CrmAdminConventionBuilder(CrmAdminSite site) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention) => site.AddConvention(convention);
    }
}
