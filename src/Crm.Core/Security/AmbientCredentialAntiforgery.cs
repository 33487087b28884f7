using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Crm.Security;

/// <summary>
/// Cross-site request forgery defence for the CRM's protected endpoints: a state-changing call (anything but GET, HEAD,
/// OPTIONS, TRACE) that was authenticated by something the browser sends by itself — a sign-in cookie — must carry the
/// anti-forgery token in the antiforgery header (<c>RequestVerificationToken</c> unless the host renamed it), else it
/// is refused with 403 before the endpoint changes anything. A call with an <c>Authorization</c> or <c>X-Api-Key</c>
/// header carries no ambient credential (a cross-site page cannot add those headers) and is unaffected, as is a call
/// without cookies. The header is required, never the form field: reading a form here would buffer a reply's files.
/// </summary>
internal sealed class AmbientCredentialAntiforgery : IEndpointFilter
{
    public const string Title = "Anti-forgery token missing or invalid";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!NeedsToken(http))
        {
            return await next(context).ConfigureAwait(false);
        }

        var antiforgery = http.RequestServices.GetService<IAntiforgery>();
        var headerName = http.RequestServices.GetService<IOptions<AntiforgeryOptions>>()?.Value.HeaderName ?? DefaultHeaderName;
        if (antiforgery is null || !http.Request.Headers.ContainsKey(headerName) || !await antiforgery.IsRequestValidAsync(http).ConfigureAwait(false))
        {
            return Results.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: Title,
                detail: $"Requests authenticated by a cookie must send the {headerName} header with the anti-forgery token of the page that makes them (the CRM admin puts it in a meta tag); scripts and servers should authenticate with X-Api-Key or an Authorization header instead.");
        }

        return await next(context).ConfigureAwait(false);
    }

    private const string DefaultHeaderName = "RequestVerificationToken";

    private static bool NeedsToken(HttpContext context)
    {
        var method = context.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method))
        {
            return false;
        }

        var headers = context.Request.Headers;
        return context.User.Identity?.IsAuthenticated == true
            && headers.ContainsKey(HeaderNames.Cookie)
            && !headers.ContainsKey(HeaderNames.Authorization)
            && !headers.ContainsKey(CrmApiKeyDefaults.HeaderName);
    }
}
