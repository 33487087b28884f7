using System.Collections.Concurrent;

namespace Crm.Security;

/// <summary>
/// Keeps generated secrets in process memory: for tests and demos, like the other in-memory stores. Links signed before
/// a restart stop verifying after it; a database store keeps them.
/// </summary>
public sealed class InMemoryCrmSecretStore : ICrmSecretStore
{
    private readonly ConcurrentDictionary<string, byte[]> _secrets = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<byte[]> GetOrCreateSecretAsync(string name, byte[] generated, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(generated);
        return Task.FromResult(_secrets.GetOrAdd(name, generated));
    }

    /// <inheritdoc />
    public Task<byte[]?> GetSecretAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Task.FromResult(_secrets.TryGetValue(name, out var value) ? value : null);
    }

    /// <inheritdoc />
    public Task SetSecretAsync(string name, byte[] value, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        _secrets[name] = value;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RemoveSecretAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _secrets.TryRemove(name, out _);
        return Task.CompletedTask;
    }
}
