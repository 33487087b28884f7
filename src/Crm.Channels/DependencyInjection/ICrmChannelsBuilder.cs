using Microsoft.Extensions.DependencyInjection;

namespace Crm.Channels.DependencyInjection;

/// <summary>Returned by <c>AddCrmChannels()</c>: channels, stores and handlers add themselves through extension methods on it.</summary>
public interface ICrmChannelsBuilder
{
    /// <summary>The service collection being configured.</summary>
    IServiceCollection Services { get; }
}
