using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Crm.Campaigns.Deliverability;

/// <summary>
/// SNS signing certificates: fetched only from URLs that match <see cref="SesWebhookOptions.CertificateUrlPattern"/>
/// (a forged message must not name a certificate of its own), size-limited, and cached per URL.
/// </summary>
internal sealed class SnsCertificates(IHttpClientFactory clients, IOptions<WebhookOptions> options)
{
    public const string HttpClientName = "Crm.Campaigns.Sns";
    private const int MaxCertificateBytes = 64 * 1024;
    private readonly ConcurrentDictionary<string, X509Certificate2> _cache = new(StringComparer.Ordinal);

    /// <summary>The certificate at <paramref name="url"/>, or null when the URL is not allowed or holds no certificate.</summary>
    public async Task<X509Certificate2?> GetAsync(string? url, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(url) || !Regex.IsMatch(url, options.Value.Ses.CertificateUrlPattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))
        {
            return null;
        }

        if (_cache.TryGetValue(url, out var cached))
        {
            return cached;
        }

        var client = clients.CreateClient(HttpClientName);
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || response.Content.Headers.ContentLength > MaxCertificateBytes)
        {
            return null;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxCertificateBytes + 1];
        var read = 0;
        int chunk;
        while (read < buffer.Length && (chunk = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
        {
            read += chunk;
        }

        if (read > MaxCertificateBytes)
        {
            return null;
        }

        try
        {
            var certificate = X509CertificateLoader.LoadCertificate(buffer.AsSpan(0, read));
            if (_cache.Count > 100)
            {
                _cache.Clear();
            }

            return _cache[url] = certificate;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
