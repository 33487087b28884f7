namespace Crm.Security;

/// <summary>
/// Keeps the secrets the library generates for itself — the keys that sign visitor tokens, attachment links and
/// tracking links — and the ones it is given (a mailbox's OAuth refresh token, encrypted with Data Protection before it
/// gets here), so every host instance uses the same and they outlive a restart. The database stores keep them in
/// <c>crm_settings</c>; <see cref="InMemoryCrmSecretStore"/> holds them for one process.
/// </summary>
public interface ICrmSecretStore
{
    /// <summary>
    /// Returns the secret stored under <paramref name="name"/>, storing <paramref name="generated"/> when there is none.
    /// Concurrent first calls (on any instance) must all get the one secret that was stored.
    /// </summary>
    Task<byte[]> GetOrCreateSecretAsync(string name, byte[] generated, CancellationToken cancellationToken);

    /// <summary>The secret stored under <paramref name="name"/>, or null.</summary>
    Task<byte[]?> GetSecretAsync(string name, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="value"/> under <paramref name="name"/>, replacing what was there.</summary>
    Task SetSecretAsync(string name, byte[] value, CancellationToken cancellationToken);

    /// <summary>Removes the secret stored under <paramref name="name"/>, if any.</summary>
    Task RemoveSecretAsync(string name, CancellationToken cancellationToken);
}
