namespace Crm.Campaigns.Sending;

/// <summary>A sender that can show, without sending anything, that its transport takes mail now (for the health check).</summary>
internal interface ICampaignTransportProbe
{
    /// <summary>Where mail goes, for messages: "the SMTP server host:port".</summary>
    string Destination { get; }

    /// <summary>Completes when the transport is reachable and accepts a session; throws why not.</summary>
    Task ProbeAsync(CancellationToken cancellationToken);
}
