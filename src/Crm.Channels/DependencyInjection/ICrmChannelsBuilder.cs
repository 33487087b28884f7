using Microsoft.Extensions.DependencyInjection;

namespace Crm.Channels.DependencyInjection;

/// <summary>Returned by <c>AddCrmChannels()</c>: channels, stores and handlers add themselves through extension methods on it.</summary>
public interface ICrmChannelsBuilder
{
    /// <summary>The service collection being configured.</summary>
    IServiceCollection Services { get; }
}

internal sealed class CrmChannelsBuilder(IServiceCollection services) : ICrmChannelsBuilder
{
    public IServiceCollection Services { get; } = services;
}

/// <summary>Marks that <c>AddCrmChannels()</c> was called, so <c>MapCrmChannels()</c> can say so when it was not.</summary>
internal sealed class CrmChannelsMarker;
