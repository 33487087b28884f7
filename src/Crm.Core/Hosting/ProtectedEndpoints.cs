using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Hosting;

/// <summary>Marks an endpoint that exposes customer data: the host must decide who may call it.</summary>
/// <param name="Fix">The call that makes the decision, shown when it is missing.</param>
internal sealed record ProtectedEndpointMetadata(string Fix)
{
    public override string ToString() => Fix;
}

/// <summary>
/// Secure by default: the host refuses to start while an endpoint that exposes customer data has neither an
/// authorization requirement (<c>RequireAuthorization(...)</c>) nor an explicit <c>AllowAnonymous()</c>, or has a
/// requirement the host cannot enforce (no authentication or authorization services, a policy nobody added, no scheme
/// to challenge with) — each of which would otherwise be an empty 500 at the first request. It looks once the request
/// pipeline is built, when every endpoint and convention of the app is known.
/// </summary>
internal sealed class ProtectedEndpointsCheck : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        Check(app.ApplicationServices);
    };

    private static void Check(IServiceProvider services)
    {
        var endpoints = (services.GetService<EndpointDataSource>()?.Endpoints ?? [])
            .Where(e => e.Metadata.GetMetadata<ProtectedEndpointMetadata>() is not null)
            .ToList();
        var undecided = endpoints
            .Where(e => e.Metadata.GetMetadata<IAuthorizeData>() is null && e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .ToList();
        if (undecided.Count > 0)
        {
            var fixes = undecided.Select(e => e.Metadata.GetMetadata<ProtectedEndpointMetadata>()!.ToString()).Distinct();
            throw new InvalidOperationException(
                $"These endpoints expose customer data but nobody decided who may call them: {Names(undecided)}. " +
                $"Add authorization: {string.Join("; ", fixes)}. To open them on purpose (a trusted network), call .AllowAnonymous() on them instead.");
        }

        var guarded = endpoints.Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null).ToList();
        if (guarded.Count > 0)
        {
            CheckEnforceable(services, guarded);
        }
    }

    /// <summary>The requirement is there; can the host enforce it? Each miss here is a first-request 500 otherwise.</summary>
    private static void CheckEnforceable(IServiceProvider services, List<Endpoint> guarded)
    {
        const string KeysFix = "builder.Services.AddCrmApiKeys(builder.Configuration.GetSection(\"Crm:ApiKeys\")) (Crm.Core), or your own builder.Services.AddAuthentication(...)";
        // Asked of the container, not resolved: the authentication service is scoped.
        var registered = services.GetRequiredService<IServiceProviderIsService>();
        if (services.GetService<IAuthorizationPolicyProvider>() is not { } policies || !registered.IsService(typeof(IAuthorizationService)))
        {
            throw new InvalidOperationException(
                $"These endpoints require authorization but the app has no authorization services: {Names(guarded)}. " +
                $"Call builder.Services.AddAuthorization() (AddCrmApiKeys(...) does it for you).");
        }

        if (services.GetService<IAuthenticationSchemeProvider>() is not { } schemes || !registered.IsService(typeof(IAuthenticationService)))
        {
            throw new InvalidOperationException(
                $"These endpoints require authorization but the app authenticates nobody (no authentication services), so every call would fail: {Names(guarded)}. " +
                $"Register a scheme: {KeysFix}.");
        }

        // The default provider answers synchronously; this runs once, at start, before any request.
        var missing = guarded
            .SelectMany(e => e.Metadata.GetOrderedMetadata<IAuthorizeData>())
            .Select(data => data.Policy)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Where(policy => policies.GetPolicyAsync(policy).GetAwaiter().GetResult() is null)
            .ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"These endpoints require authorization policies nobody added: {string.Join(", ", missing.Select(p => $"'{p}'"))}. " +
                $"Add them with builder.Services.AddAuthorizationBuilder().AddPolicy(...), or use the CRM's own ({nameof(Crm.Security.CrmPolicies)}: {Crm.Security.CrmPolicies.Agents}, {Crm.Security.CrmPolicies.Marketing}, {Crm.Security.CrmPolicies.Managers}) from AddCrmApiKeys(...) or AddCrmAuthorizationPolicies().");
        }

        var withoutScheme = guarded
            .Where(e => !e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(data => !string.IsNullOrEmpty(data.AuthenticationSchemes)))
            .ToList();
        if (withoutScheme.Count > 0 && schemes.GetDefaultChallengeSchemeAsync().GetAwaiter().GetResult() is null)
        {
            throw new InvalidOperationException(
                $"These endpoints require authorization but no authentication scheme is the default, so an unauthenticated call could not be challenged: {Names(withoutScheme)}. " +
                $"Name a default scheme (builder.Services.AddAuthentication(\"YourScheme\")), or register {KeysFix}.");
        }
    }

    private static string Names(IEnumerable<Endpoint> endpoints)
        => string.Join(", ", endpoints.Select(e => $"{string.Join('|', e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])} {("/" + ((e as RouteEndpoint)?.RoutePattern.RawText ?? e.DisplayName ?? "").TrimStart('/')).TrimEnd('/')}"));
}

/// <summary>Wires the check.</summary>
internal static class ProtectedEndpointsExtensions
{
    public static IServiceCollection AddProtectedEndpointsCheck(this IServiceCollection services)
    {
        services.TryAddCheck();
        return services;
    }

    /// <summary>Marks the endpoints for the start check, and guards them against cross-site request forgery by cookie.</summary>
    public static TBuilder RequireAuthorizationDecision<TBuilder>(this TBuilder builder, string fix)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new ProtectedEndpointMetadata(fix)).AddEndpointFilter(new Crm.Security.AmbientCredentialAntiforgery());

    private static void TryAddCheck(this IServiceCollection services)
        => Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddEnumerable(
            services, ServiceDescriptor.Singleton<IStartupFilter, ProtectedEndpointsCheck>());
}
