namespace Crm.WebHost.Hosting;

/// <summary>
/// Headers a security reviewer expects on every answer: no MIME sniffing, no full referrers to other sites, and a
/// Content-Security-Policy that allows only this origin's scripts and forbids framing the host (clickjacking).
/// </summary>
internal static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The interactive API reference (Development only) starts itself with an inline module script: allowed on its own
    /// pages, nowhere else.
    /// </summary>
    public const string ApiReferencePolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
        => app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                // The widget's script is loaded by customers' sites: it is the one answer meant to be used elsewhere.
                if (!context.Request.Path.StartsWithSegments("/widget", StringComparison.OrdinalIgnoreCase))
                {
                    // An endpoint that set a stricter policy of its own (attachments: a sandbox) keeps it.
                    if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
                    {
                        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/scalar", StringComparison.OrdinalIgnoreCase)
                            ? ApiReferencePolicy
                            : ContentSecurityPolicy;
                    }

                    headers.XFrameOptions = "DENY";
                }

                return Task.CompletedTask;
            });
            return next(context);
        });
}
