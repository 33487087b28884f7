using Microsoft.Extensions.DependencyInjection;

namespace Crm.Webhooks;

/// <summary>What <c>AddCrmWebhooks(...)</c> returns: its store and options are configured on it.</summary>
public interface ICrmWebhooksBuilder
{
    /// <summary>The services being configured.</summary>
    IServiceCollection Services { get; }
}
