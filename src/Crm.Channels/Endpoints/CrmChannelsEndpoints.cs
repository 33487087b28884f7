using Microsoft.AspNetCore.Builder;

namespace Crm.Channels.Endpoints;

/// <summary>The endpoints <c>MapCrmChannels()</c> mapped, so the host can add conventions to each kind separately.</summary>
public sealed class CrmChannelsEndpoints : IEndpointConventionBuilder
{
    internal CrmChannelsEndpoints(IEndpointConventionBuilder intake, IEndpointConventionBuilder agents, IEndpointConventionBuilder? conversations, IEndpointConventionBuilder downloads)
    {
        Intake = intake;
        Agents = agents;
        Downloads = downloads;
        Conversations = conversations ?? new NoEndpoints();
    }

    /// <summary><c>POST /tickets</c>: public; add rate limiting or CORS here.</summary>
    public IEndpointConventionBuilder Intake { get; }

    /// <summary><c>GET /tickets</c>, <c>GET /tickets/{id}</c> and <c>PATCH /tickets/{id}</c>, <c>POST /tickets/{id}/replies</c>: for agents; add authorization here.</summary>
    public IEndpointConventionBuilder Agents { get; }

    /// <summary>
    /// <c>GET /chat/conversations/{id}/messages</c> and <c>/events</c> (mapped when chat is added): public, authorised by the
    /// visitor token; add CORS and rate limiting here.
    /// </summary>
    public IEndpointConventionBuilder Conversations { get; }

    /// <summary>
    /// <c>GET /attachments/{ticketId}/{key}/{expires}/{signature}</c>: public, authorised by a short-lived signed link
    /// (chat visitors, Twilio fetching a WhatsApp reply's media); add rate limiting here.
    /// </summary>
    public IEndpointConventionBuilder Downloads { get; }

    /// <inheritdoc />
    public void Add(Action<EndpointBuilder> convention)
    {
        Intake.Add(convention);
        Agents.Add(convention);
        Conversations.Add(convention);
        Downloads.Add(convention);
    }

    /// <inheritdoc />
    public void Finally(Action<EndpointBuilder> finallyConvention)
    {
        Intake.Finally(finallyConvention);
        Agents.Finally(finallyConvention);
        Conversations.Finally(finallyConvention);
        Downloads.Finally(finallyConvention);
    }

    /// <summary>Stands in for endpoint kinds that were not mapped, so conventions need no null checks.</summary>
    private sealed class NoEndpoints : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
        }
    }
}
