using Microsoft.AspNetCore.Builder;

namespace Crm.Campaigns.Endpoints;

/// <summary>The endpoints <c>MapBulkEmail()</c> mapped, grouped by who may call them.</summary>
public sealed class BulkEmailEndpoints : IEndpointConventionBuilder
{
    internal BulkEmailEndpoints(IEndpointConventionBuilder campaigns, IEndpointConventionBuilder tracking, IEndpointConventionBuilder contactsRead, IEndpointConventionBuilder contactsWrite, IEndpointConventionBuilder subscriptions)
    {
        Campaigns = campaigns;
        Tracking = tracking;
        ContactsRead = contactsRead;
        ContactsWrite = contactsWrite;
        Subscriptions = subscriptions;
    }

    /// <summary><c>POST /subscribe</c> and its confirmation links: public (a form on any site); add rate limiting here.</summary>
    public IEndpointConventionBuilder Subscriptions { get; }

    /// <summary>The campaign API (<c>/bulk-email</c>): managers and marketing only.</summary>
    public IEndpointConventionBuilder Campaigns { get; }

    /// <summary>The pixel and unsubscribe endpoints: public, authenticated by their signed tokens.</summary>
    public IEndpointConventionBuilder Tracking { get; }

    /// <summary><c>GET /contacts</c>: agents.</summary>
    public IEndpointConventionBuilder ContactsRead { get; }

    /// <summary><c>POST /contacts</c>: managers, marketing or an import job.</summary>
    public IEndpointConventionBuilder ContactsWrite { get; }

    /// <inheritdoc />
    public void Add(Action<EndpointBuilder> convention)
    {
        Campaigns.Add(convention);
        Tracking.Add(convention);
        ContactsRead.Add(convention);
        ContactsWrite.Add(convention);
        Subscriptions.Add(convention);
    }

    /// <inheritdoc />
    public void Finally(Action<EndpointBuilder> finallyConvention)
    {
        Campaigns.Finally(finallyConvention);
        Tracking.Finally(finallyConvention);
        ContactsRead.Finally(finallyConvention);
        ContactsWrite.Finally(finallyConvention);
        Subscriptions.Finally(finallyConvention);
    }
}
