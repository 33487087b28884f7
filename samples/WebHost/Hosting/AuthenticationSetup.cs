using Crm.Security;
using Crm.WebHost.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Crm.WebHost.Hosting;

internal static class AuthenticationSetup
{
    private const string SelectorScheme = "Crm";

    public const string CookieName = "crm.auth";

    /// <summary>
    /// API callers send <c>X-Api-Key</c> (the packages' API-key scheme, keys from <c>Crm:ApiKeys</c>); people sign in
    /// with a cookie. Unauthenticated API requests get a 401 problem, never a redirect to the login page.
    /// </summary>
    public static IServiceCollection AddCrmAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "API key or cookie", options =>
            {
                options.ForwardDefaultSelector = context => context.Request.Headers.ContainsKey(CrmApiKeyDefaults.HeaderName)
                    ? CrmApiKeyDefaults.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme;
            })
            .AddCrmApiKeys(configuration.GetSection(HostSettings.ApiKeysSection))
            .AddCookie(options =>
            {
                options.LoginPath = "/login";
                options.LogoutPath = "/logout";
                options.AccessDeniedPath = "/denied";
                options.Cookie.Name = CookieName;
                options.Cookie.HttpOnly = true;
                // Secure whenever the request came over HTTPS (directly, or through a trusted proxy's X-Forwarded-Proto).
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.SlidingExpiration = true;
                options.Events.OnRedirectToLogin = context => AnswerApiOrRedirect(context, StatusCodes.Status401Unauthorized, "Authentication required");
                options.Events.OnRedirectToAccessDenied = context => AnswerApiOrRedirect(context, StatusCodes.Status403Forbidden, "Forbidden");
            });

        services.AddSingleton<ServerSideSessions>();
        services.AddSingleton<IPostConfigureOptions<CookieAuthenticationOptions>, ServerSideSessionsSetup>();
        services.AddSingleton<SignInThrottle>();
        services.AddAntiforgery(options =>
        {
            options.HeaderName = "RequestVerificationToken"; // the header the admin's scripts send to the API
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        services.AddCrmAuthorizationPolicies();
        return services;
    }

    private static Task AnswerApiOrRedirect(RedirectContext<CookieAuthenticationOptions> context, int status, string title)
    {
        if (IsPage(context.Request))
        {
            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        }

        context.Response.StatusCode = status;
        return Results.Problem(statusCode: status, title: title, detail: "Send a valid X-Api-Key header, or sign in.").ExecuteAsync(context.HttpContext);
    }

    private static bool IsPage(HttpRequest request) => request.Path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase);
}
