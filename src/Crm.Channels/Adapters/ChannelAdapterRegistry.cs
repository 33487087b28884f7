using Crm.Channels.Ingestion;

namespace Crm.Channels.Adapters;

/// <summary>Finds the adapter for a channel name; refuses two adapters claiming one name.</summary>
internal sealed class ChannelAdapterRegistry
{
    private readonly Dictionary<string, IChannelAdapter> _adapters = new(StringComparer.Ordinal);

    public ChannelAdapterRegistry(IEnumerable<IChannelAdapter> adapters)
    {
        foreach (var adapter in adapters)
        {
            if (!ChannelName.IsValid(adapter.Channel))
            {
                throw new InvalidOperationException($"Adapter {adapter.GetType().FullName} names its channel '{adapter.Channel}': use 1 to 64 lower-case letters, digits, '-' or '_'.");
            }

            if (!_adapters.TryAdd(adapter.Channel, adapter))
            {
                throw new InvalidOperationException($"Adapters {_adapters[adapter.Channel].GetType().FullName} and {adapter.GetType().FullName} both claim channel '{adapter.Channel}'.");
            }
        }
    }

    public IReadOnlyCollection<string> Channels => _adapters.Keys;

    public IChannelAdapter? Find(string? channel) => channel is null ? null : _adapters.GetValueOrDefault(channel);
}
