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
    /// API callers send <c>X-Api-Key</c>; people sign in with a cookie. Unauthenticated API requests get a
    /// 401 problem, never a redirect to the login page.
    /// </summary>
    public static IServiceCollection AddCrmAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "API key or cookie", options =>
            {
                options.ForwardDefaultSelector = context => context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
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
            options.HeaderName = CookieApiAntiforgery.HeaderName;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        services.AddAuthorizationBuilder()
            .AddPolicy(Roles.AgentsPolicy, policy => policy.RequireRole(Roles.Agent, Roles.Manager, Roles.Marketing))
            .AddPolicy(Roles.MarketingPolicy, policy => policy.RequireRole(Roles.Manager, Roles.Marketing));
        return services;
    }

    /// <summary>Stops the host when an API key names a role that does not exist (a typo must not silently lock people out or in).</summary>
    public static void ValidateApiKeys(IConfiguration configuration)
    {
        foreach (var entry in configuration.GetSection("Crm:ApiKeys").GetChildren())
        {
            if (Roles.Canonical(entry.Value) is null)
            {
                throw new InvalidOperationException($"An API key in Crm:ApiKeys has the role '{entry.Value}'; it must be one of {string.Join(", ", Roles.All)}.");
            }
        }
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
