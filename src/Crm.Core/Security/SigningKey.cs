using System.Security.Cryptography;
using System.Text;

namespace Crm.Security;

/// <summary>
/// One HMAC key of the library, loaded once: the configured secret stretched to 32 bytes by SHA-256 (so a short or
/// non-random secret still keys HMAC-SHA256 fully), or else a random key generated once and kept in the
/// <see cref="ICrmSecretStore"/> under <see cref="Name"/>, shared by every instance. After <see cref="LoadAsync"/>,
/// <see cref="Loaded"/> needs no I/O, so links can be signed on hot paths.
/// </summary>
internal sealed class SigningKey(ICrmSecretStore store, string name, Func<string?> configured)
{
    private byte[]? _key;

    /// <summary>The name the generated key is stored under (its row in <c>crm_settings</c>).</summary>
    public string Name { get; } = name;

    /// <summary>The key, once <see cref="LoadAsync"/> has run.</summary>
    public byte[] Loaded => Volatile.Read(ref _key) ?? throw new InvalidOperationException($"The signing key {Name} is not loaded yet: call LoadAsync first.");

    /// <summary>Loads the key (once; concurrent first calls get the same key, since the store keeps the first one stored).</summary>
    public async ValueTask<byte[]> LoadAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _key) is { } key)
        {
            return key;
        }

        var secret = configured();
        key = string.IsNullOrEmpty(secret)
            ? await store.GetOrCreateSecretAsync(Name, RandomNumberGenerator.GetBytes(32), cancellationToken).ConfigureAwait(false)
            : SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        Volatile.Write(ref _key, key);
        return key;
    }
}
