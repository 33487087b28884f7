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
}
