using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Crm.Channels.WhatsApp;

/// <summary>
/// Twilio's webhook signature (<c>X-Twilio-Signature</c>): base64 of HMAC-SHA1, keyed with the auth token,
/// over the full URL Twilio requested followed by every POST parameter's name and value, sorted by name
/// (ordinal, case-sensitive). For JSON bodies the parameters are absent and the URL carries
/// <c>bodySHA256</c>, the hex SHA-256 of the body.
/// </summary>
internal static class TwilioSignature
{
    /// <summary>Computes the signature of a request.</summary>
    public static string Compute(string authToken, string url, IEnumerable<KeyValuePair<string, StringValues>> parameters)
    {
        ArgumentNullException.ThrowIfNull(authToken);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(parameters);
        var data = new StringBuilder(url);
        foreach (var (name, values) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            // Repeated names (rare: Twilio never sends them for messages) sort by value, as Twilio's SDKs do.
            foreach (var value in values.OrderBy(v => v, StringComparer.Ordinal))
            {
                data.Append(name).Append(value);
            }
        }

        var mac = HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString()));
        return Convert.ToBase64String(mac);
    }

    /// <summary>
    /// True when <paramref name="signature"/> matches the request as seen at <paramref name="url"/>, with or without
    /// the default port (Twilio signs the URL as configured in the console; proxies add or drop <c>:443</c>).
    /// Compared in constant time.
    /// </summary>
    public static bool IsValid(string authToken, string? signature, string url, IEnumerable<KeyValuePair<string, StringValues>> parameters)
    {
        if (string.IsNullOrEmpty(signature))
        {
            return false;
        }

        var materialised = parameters.ToList();
        var presented = Encoding.ASCII.GetBytes(signature);
        var valid = false;
        foreach (var candidate in UrlVariants(url))
        {
            var expected = Encoding.ASCII.GetBytes(Compute(authToken, candidate, materialised));
            valid |= CryptographicOperations.FixedTimeEquals(expected, presented);
        }

        return valid;
    }

    /// <summary>True when the body's SHA-256 matches the hex <c>bodySHA256</c> query value (JSON webhooks).</summary>
    public static bool BodyHashMatches(ReadOnlySpan<byte> body, string? bodySha256Hex)
    {
        if (string.IsNullOrEmpty(bodySha256Hex) || bodySha256Hex.Length != 64)
        {
            return false;
        }

        var actual = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(body)));
        return CryptographicOperations.FixedTimeEquals(actual, Encoding.ASCII.GetBytes(bodySha256Hex.ToLowerInvariant()));
    }

    /// <summary>The URL as given, and the same with its default port added or removed.</summary>
    internal static IEnumerable<string> UrlVariants(string url)
    {
        yield return url;
        // Only web URLs have a default port to add or drop (on Unix "/hook" parses as an absolute file URI).
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            yield break;
        }

        var authority = uri.GetComponents(UriComponents.Scheme | UriComponents.UserInfo | UriComponents.Host, UriFormat.UriEscaped);
        var rest = uri.GetComponents(UriComponents.PathAndQuery | UriComponents.Fragment, UriFormat.UriEscaped);
        var hasExplicitPort = HasExplicitPort(url, uri);
        yield return hasExplicitPort ? authority + rest : $"{authority}:{uri.Port}{rest}";
    }

    private static bool HasExplicitPort(string url, Uri uri)
    {
        var afterScheme = url.AsSpan(uri.Scheme.Length + 3);
        var end = afterScheme.IndexOfAny('/', '?', '#');
        var authority = end < 0 ? afterScheme : afterScheme[..end];
        var closingBracket = authority.LastIndexOf(']');
        var colon = authority.LastIndexOf(':');
        return colon > closingBracket;
    }
}
