using Microsoft.AspNetCore.Mvc.Filters;

namespace Crm.Admin.Routing;

/// <summary>
/// What a security reviewer expects on pages full of customer data, set unless the host set its own: never framed
/// (clickjacking), no MIME sniffing, no full referrer to other sites, no inline script (the pages have none), and never
/// kept in a shared cache.
/// </summary>
internal sealed class CrmAdminResponseHeaders : IResultFilter
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public void OnResultExecuting(ResultExecutingContext context)
    {
        var headers = context.HttpContext.Response.Headers;
        SetIfMissing(headers, "Content-Security-Policy", ContentSecurityPolicy);
        SetIfMissing(headers, "X-Frame-Options", "DENY");
        SetIfMissing(headers, "X-Content-Type-Options", "nosniff");
        SetIfMissing(headers, "Referrer-Policy", "strict-origin-when-cross-origin");
        SetIfMissing(headers, "Cache-Control", "private, no-store");
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }

    private static void SetIfMissing(Microsoft.AspNetCore.Http.IHeaderDictionary headers, string name, string value)
    {
        if (!headers.ContainsKey(name))
        {
            headers[name] = value;
        }
    }
}
