using Microsoft.Extensions.DependencyInjection;

namespace Crm.Channels.DependencyInjection;

internal sealed class CrmChannelsBuilder(IServiceCollection services) : ICrmChannelsBuilder
{
    public IServiceCollection Services { get; } = services;
}
