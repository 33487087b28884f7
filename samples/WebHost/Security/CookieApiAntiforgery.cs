using Crm.Security;
using Crm.WebHost.Hosting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.Abstractions;

namespace Crm.WebHost.Security;

/// <summary>
/// Cross-site request forgery defence for the API: a state-changing call (anything but GET, HEAD, OPTIONS, TRACE) to a
/// protected endpoint that is authenticated by the sign-in cookie must carry the anti-forgery token in the
/// <c>RequestVerificationToken</c> header (the admin pages put it in a <c>meta</c> tag for their scripts), else it is
/// refused with 403 before it runs. Calls with <c>X-Api-Key</c> carry no ambient credential and are unaffected; Razor
/// Pages check their own form tokens.
/// </summary>
internal static class CookieApiAntiforgery
{
    public const string HeaderName = "RequestVerificationToken";

    public static IApplicationBuilder UseCookieApiAntiforgery(this IApplicationBuilder app)
        => app.Use(async (context, next) =>
        {
            if (NeedsToken(context) && !await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await Results.Problem(
                    statusCode: StatusCodes.Status403Forbidden,
                    title: "Anti-forgery token missing or invalid",
                    detail: $"Requests authenticated by the sign-in cookie must send the {HeaderName} header from the page's meta tag; scripts should use X-Api-Key.").ExecuteAsync(context);
                return;
            }

            await next(context);
        });

    private static bool NeedsToken(HttpContext context)
    {
        var method = context.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method))
        {
            return false;
        }

        if (context.Request.Headers.ContainsKey(CrmApiKeyDefaults.HeaderName) || !context.Request.Cookies.ContainsKey(AuthenticationSetup.CookieName))
        {
            return false;
        }

        var endpoint = context.GetEndpoint();
        return endpoint is not null
            && endpoint.Metadata.GetMetadata<IAuthorizeData>() is not null
            && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null
            && endpoint.Metadata.GetMetadata<ActionDescriptor>() is null;
    }
}
