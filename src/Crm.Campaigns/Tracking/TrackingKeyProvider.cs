using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Crm.Campaigns.Tracking;

/// <summary>
/// Supplies <see cref="TrackingTokens"/>: keyed by <see cref="BulkEmailOptions.SigningKey"/> when configured,
/// otherwise by a random key generated once and kept in the store, so links keep working across restarts
/// and across instances.
/// </summary>
internal sealed class TrackingKeyProvider
{
    private readonly ITrackingStore _store;
    private readonly BulkEmailOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TrackingTokens? _tokens;

    /// <summary>Creates the provider.</summary>
    public TrackingKeyProvider(ITrackingStore store, IOptions<BulkEmailOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _options = options.Value;
    }

    /// <summary>The token signer.</summary>
    public async ValueTask<TrackingTokens> GetTokensAsync(CancellationToken cancellationToken)
    {
        if (_tokens is { } tokens)
        {
            return tokens;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_tokens is null)
            {
                var key = string.IsNullOrEmpty(_options.SigningKey)
                    ? await _store.GetOrCreateSigningKeyAsync(RandomNumberGenerator.GetBytes(32), cancellationToken).ConfigureAwait(false)
                    // A configured key of any length is stretched to 32 bytes so short secrets still key HMAC-SHA256 fully.
                    : SHA256.HashData(Encoding.UTF8.GetBytes(_options.SigningKey));
                _tokens = new TrackingTokens(key);
            }

            return _tokens;
        }
        finally
        {
            _gate.Release();
        }
    }
}
