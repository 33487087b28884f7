using Crm.Security;

namespace Crm.Admin;

/// <summary>How <c>MapCrmAdmin(...)</c> serves the admin UI: who may open it, and how it looks.</summary>
public sealed class CrmAdminOptions
{
    /// <summary>
    /// The policy every admin page requires (the inbox, tickets, quarantine, contacts): by default
    /// <see cref="CrmPolicies.Agents"/>. The host must add it (<c>AddCrmApiKeys(...)</c> or
    /// <c>AddCrmAuthorizationPolicies()</c> add the CRM's), or the host stops at start naming it.
    /// </summary>
    public string AgentsPolicy { get; set; } = CrmPolicies.Agents;

    /// <summary>
    /// The policy the bulk email pages, the outbox and importing contacts require as well: by default
    /// <see cref="CrmPolicies.Marketing"/>.
    /// </summary>
    public string MarketingPolicy { get; set; } = CrmPolicies.Marketing;

    /// <summary>The policy the webhook pages require as well: by default <see cref="CrmPolicies.Managers"/>.</summary>
    public string ManagersPolicy { get; set; } = CrmPolicies.Managers;

    /// <summary>The name in the top bar and the page titles.</summary>
    public string Title { get; set; } = "Crm";

    /// <summary>
    /// Where the top bar's "Sign out" button posts (with the anti-forgery token), e.g. <c>/logout</c>; null shows no
    /// button (a host that signs out elsewhere).
    /// </summary>
    public string? SignOutPath { get; set; }

    /// <summary>
    /// Stylesheets the pages load after their own, e.g. <c>/css/brand.css</c>: the theme is CSS custom properties
    /// (<c>--navy</c>, <c>--paper</c>, <c>--brass</c>, <c>--sans</c>, …; see the package README), so a host restyles the
    /// admin by setting them in its own <c>:root</c>.
    /// </summary>
    public IList<string> Stylesheets { get; } = [];
}
