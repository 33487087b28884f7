using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Crm.Admin.Routing;

/// <summary>
/// The admin's stylesheets and scripts, embedded in the assembly and served by <c>MapCrmAdmin</c> at
/// <c>{prefix}/assets/{name}</c>, as Hangfire serves its dashboard's: they work in any host, published or not, without
/// static web assets. Pages link them with a content hash (<c>?v=</c>), so a browser may keep them for a year.
/// </summary>
internal sealed class CrmAdminAssets
{
    private const string ResourcePrefix = "Crm.Admin.Assets.";

    private readonly FrozenDictionary<string, Asset> _assets;

    public CrmAdminAssets()
    {
        var assembly = typeof(CrmAdminAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var name = resource[ResourcePrefix.Length..];
            var contentType = name.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
            var version = Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 8));
            assets[name] = new Asset(content, contentType, version);
        }

        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The asset's path below the admin's prefix (for <see cref="CrmAdminSite.Href"/>), with its content hash.</summary>
    public string Url(string name)
        => _assets.TryGetValue(name, out var asset)
            ? $"assets/{name}?v={asset.Version}"
            : throw new ArgumentException($"The admin has no asset named '{name}'.", nameof(name));

    public IResult Serve(string name, HttpContext context)
    {
        if (!_assets.TryGetValue(name, out var asset))
        {
            return Results.NotFound();
        }

        var etag = new EntityTagHeaderValue($"\"{asset.Version}\"");
        context.Response.Headers.CacheControl = context.Request.Query.ContainsKey("v") ? "public, max-age=31536000, immutable" : "public, max-age=300";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.Bytes(asset.Content, asset.ContentType, entityTag: etag);
    }

    private sealed record Asset(byte[] Content, string ContentType, string Version);
}
