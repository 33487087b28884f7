using Microsoft.AspNetCore.Builder;

namespace Crm.Channels.Endpoints;

/// <summary>The endpoints <c>MapCrmChannels()</c> mapped, so the host can add conventions to each kind separately.</summary>
public sealed class CrmChannelsEndpoints : IEndpointConventionBuilder
{
    internal CrmChannelsEndpoints(IEndpointConventionBuilder intake, IEndpointConventionBuilder queries)
    {
        Intake = intake;
        Queries = queries;
    }

    /// <summary><c>POST /tickets</c>: public; add rate limiting or CORS here.</summary>
    public IEndpointConventionBuilder Intake { get; }

    /// <summary><c>GET /tickets</c>, <c>GET /tickets/{id}</c> and <c>PATCH /tickets/{id}</c>, <c>POST /tickets/{id}/replies</c>: for agents; add authorization here.</summary>
    public IEndpointConventionBuilder Queries { get; }

    /// <inheritdoc />
    public void Add(Action<EndpointBuilder> convention)
    {
        Intake.Add(convention);
        Queries.Add(convention);
    }

    /// <inheritdoc />
    public void Finally(Action<EndpointBuilder> finallyConvention)
    {
        Intake.Finally(finallyConvention);
        Queries.Finally(finallyConvention);
    }
}
