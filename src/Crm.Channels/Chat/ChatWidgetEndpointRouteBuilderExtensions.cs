using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Serves the embeddable chat widget from the package, so a host needs no copy of it.</summary>
public static class ChatWidgetEndpointRouteBuilderExtensions
{
    private static readonly Lazy<(byte[] Script, string ETag)> Widget = new(Load);

    /// <summary>
    /// Maps <c>GET {pattern}</c> (default <c>/widget/crm-chat.js</c>) to the chat widget: one script tag on any site,
    /// <c>&lt;script src="https://crm.example.com/widget/crm-chat.js" data-endpoint="https://crm.example.com" async&gt;&lt;/script&gt;</c>.
    /// Public; cached by browsers and revalidated with its ETag.
    /// </summary>
    public static IEndpointConventionBuilder MapCrmChatWidget(this IEndpointRouteBuilder endpoints, string pattern = "/widget/crm-chat.js")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet(pattern, (HttpContext context) =>
        {
            var (script, etag) = Widget.Value;
            context.Response.Headers.ETag = etag;
            context.Response.Headers.CacheControl = "public, max-age=3600";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            // Customers' sites load it cross-origin.
            context.Response.Headers.AccessControlAllowOrigin = "*";
            return context.Request.Headers.IfNoneMatch == etag
                ? Results.StatusCode(StatusCodes.Status304NotModified)
                : Results.Bytes(script, "text/javascript; charset=utf-8");
        }).WithName("CrmChatWidget").AllowAnonymous().ExcludeFromDescription();
    }

    private static (byte[] Script, string ETag) Load()
    {
        using var stream = typeof(ChatWidgetEndpointRouteBuilderExtensions).Assembly.GetManifestResourceStream("Crm.Channels.crm-chat.js")
            ?? throw new InvalidOperationException("The chat widget is missing from the Crm.Channels assembly.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var script = buffer.ToArray();
        return (script, $"\"{Convert.ToHexStringLower(SHA256.HashData(script))[..16]}\"");
    }
}
