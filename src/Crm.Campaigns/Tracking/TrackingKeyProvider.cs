using Crm.Security;
using Microsoft.Extensions.Options;

namespace Crm.Campaigns.Tracking;

/// <summary>
/// Supplies <see cref="TrackingTokens"/>: keyed by <see cref="TrackingOptions.SigningKey"/> when configured,
/// otherwise by a random key generated once and kept in the store, so links keep working across restarts
/// and across instances.
/// </summary>
internal sealed class TrackingKeyProvider
{
    /// <summary>Where the generated key is kept (<c>crm_settings</c>): the name links already mailed were signed under.</summary>
    internal const string SecretName = "tracking.signing_key";

    private readonly SigningKey _key;
    private TrackingTokens? _tokens;

    /// <summary>Creates the provider.</summary>
    public TrackingKeyProvider(ICrmSecretStore secrets, IOptions<TrackingOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configured = options.Value.SigningKey;
        _key = new SigningKey(secrets, SecretName, () => configured);
    }

    /// <summary>The token signer.</summary>
    public async ValueTask<TrackingTokens> GetTokensAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _tokens) is { } tokens)
        {
            return tokens;
        }

        // Two first callers may both build a signer: they hold the same key, so either is right.
        tokens = new TrackingTokens(await _key.LoadAsync(cancellationToken).ConfigureAwait(false));
        Volatile.Write(ref _tokens, tokens);
        return tokens;
    }
}
