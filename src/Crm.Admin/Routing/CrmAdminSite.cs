using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Extensions.Primitives;

namespace Crm.Admin.Routing;

/// <summary>
/// Where and for whom <c>MapCrmAdmin(...)</c> mapped the admin, read by the page conventions when the pages' routes are
/// built. The pages are compiled with a placeholder root (<see cref="Placeholder"/>): until the host maps the admin
/// they have no route at all, so adding the package never exposes a page by itself. Mapping signals a change, so the
/// routes are rebuilt even when the host mapped its own Razor Pages first.
/// </summary>
internal sealed class CrmAdminSite : IActionDescriptorChangeProvider
{
    public const string Area = "CrmAdmin";

    /// <summary>The first segment of every admin page's <c>@page</c> route, replaced by the mapped prefix.</summary>
    public const string Placeholder = "_crm-admin";

    private readonly Lock _gate = new();
    private CancellationTokenSource _changed = new();

    /// <summary>The mapped prefix without a trailing slash (e.g. <c>/crm-admin</c>), or null before <c>MapCrmAdmin</c>.</summary>
    public string? Prefix { get; private set; }

    public CrmAdminOptions Options { get; private set; } = new();

    /// <summary>The inbox, tickets and quarantine: the host added conversations.</summary>
    public bool HasConversations { get; private set; }

    /// <summary>Contacts, bulk email and the outbox: the host added campaigns.</summary>
    public bool HasCampaigns { get; private set; }

    /// <summary>Webhook endpoints and their delivery log: the host added outgoing webhooks.</summary>
    public bool HasWebhooks { get; private set; }

    /// <summary>The mailboxes page: some mail connection of the host signs in with OAuth.</summary>
    public bool HasMailboxes { get; private set; }

    /// <summary>Conventions the host added to what <c>MapCrmAdmin</c> returned, applied to the admin's pages only.</summary>
    public IReadOnlyList<Action<EndpointBuilder>> Conventions
    {
        get
        {
            lock (_gate)
            {
                return [.. _conventions];
            }
        }
    }

    private readonly List<Action<EndpointBuilder>> _conventions = [];

    /// <summary>
    /// Adds a host's convention and rebuilds the pages' endpoints: they may have been built already, without it.
    /// </summary>
    public void AddConvention(Action<EndpointBuilder> convention)
    {
        lock (_gate)
        {
            _conventions.Add(convention);
        }

        SignalChange();
    }

    public void Map(string prefix, CrmAdminOptions options, bool hasConversations, bool hasCampaigns, bool hasWebhooks, bool hasMailboxes = false)
    {
        lock (_gate)
        {
            if (Prefix is not null)
            {
                throw new InvalidOperationException($"MapCrmAdmin was already called (at '{Prefix}'): the admin is mapped once.");
            }

            Prefix = prefix;
            Options = options;
            HasConversations = hasConversations;
            HasCampaigns = hasCampaigns;
            HasWebhooks = hasWebhooks;
            HasMailboxes = hasMailboxes;
        }

        SignalChange();
    }

    private void SignalChange()
    {
        CancellationTokenSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = new CancellationTokenSource();
        }

        previous.Cancel();
        previous.Dispose();
    }

    /// <summary>The path of an admin page below the prefix (<c>tickets/12</c>), or of the admin's home (empty).</summary>
    public string PathOf(string relative) => relative.Length == 0 ? Prefix! : $"{Prefix}/{relative}";

    /// <summary>The link to an admin page or asset, below the app's path base.</summary>
    public string Href(HttpRequest request, string relative) => request.PathBase + PathOf(relative);

    public IChangeToken GetChangeToken()
    {
        lock (_gate)
        {
            return new CancellationChangeToken(_changed.Token);
        }
    }
}
