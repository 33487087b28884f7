using System.ComponentModel.DataAnnotations;

namespace Crm.Campaigns.Dispatching;

/// <summary>How fast one receiving domain is sent to (<c>Crm:Campaigns:Domains:{domain}</c>, e.g. <c>gmail.com</c>).</summary>
public sealed class DomainLimit
{
    /// <summary>The most messages to this domain in flight at once; 0 for no limit.</summary>
    [Range(0, 10_000)]
    public int MaxConcurrency { get; set; }

    /// <summary>The most messages to this domain per second; 0 for no limit.</summary>
    [Range(0, 100_000)]
    public double MessagesPerSecond { get; set; }
}
