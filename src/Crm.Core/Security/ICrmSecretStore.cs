namespace Crm.Security;

/// <summary>
/// Keeps the secrets the library generates for itself — the keys that sign visitor tokens, attachment links and
/// tracking links — so every host instance signs and verifies with the same key and links outlive a restart. The
/// database stores keep them in <c>crm_settings</c>; <see cref="InMemoryCrmSecretStore"/> holds them for one process.
/// </summary>
public interface ICrmSecretStore
{
    /// <summary>
    /// Returns the secret stored under <paramref name="name"/>, storing <paramref name="generated"/> when there is none.
    /// Concurrent first calls (on any instance) must all get the one secret that was stored.
    /// </summary>
    Task<byte[]> GetOrCreateSecretAsync(string name, byte[] generated, CancellationToken cancellationToken);
}
