// Compiled into each package that maps endpoints (linked source): one check, and each package's copy guards that package's endpoints.
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Hosting;

/// <summary>Marks an endpoint that exposes customer data: the host must decide who may call it.</summary>
/// <param name="Fix">The call that makes the decision, shown when it is missing.</param>
internal sealed record ProtectedEndpointMetadata(string Fix)
{
    // Each package compiles its own copy of this type; the check recognises all of them by name, so one message lists every package's endpoints.
    public static bool Marks(object metadata) => metadata.GetType().FullName == typeof(ProtectedEndpointMetadata).FullName;

    public override string ToString() => Fix;
}

/// <summary>
/// Secure by default: the host refuses to start while an endpoint that exposes customer data has neither an
/// authorization requirement (<c>RequireAuthorization(...)</c>) nor an explicit <c>AllowAnonymous()</c>. It looks
/// once the request pipeline is built, when every endpoint and convention of the app is known.
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
        var endpoints = services.GetService<EndpointDataSource>()?.Endpoints ?? [];
        var undecided = endpoints
            .Where(e => e.Metadata.Any(ProtectedEndpointMetadata.Marks)
                && e.Metadata.GetMetadata<IAuthorizeData>() is null
                && e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .ToList();
        if (undecided.Count == 0)
        {
            return;
        }

        var names = undecided.Select(e => $"{string.Join('|', e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])} {("/" + ((e as RouteEndpoint)?.RoutePattern.RawText ?? e.DisplayName ?? "").TrimStart('/')).TrimEnd('/')}");
        var fixes = undecided.Select(e => e.Metadata.First(ProtectedEndpointMetadata.Marks).ToString()).Distinct();
        throw new InvalidOperationException(
            $"These endpoints expose customer data but nobody decided who may call them: {string.Join(", ", names)}. " +
            $"Add authorization: {string.Join("; ", fixes)}. To open them on purpose (a trusted network), call .AllowAnonymous() on them instead.");
    }
}

/// <summary>Wires the check.</summary>
internal static class ProtectedEndpointsExtensions
{
    public static IServiceCollection AddProtectedEndpointsCheck(this IServiceCollection services)
    {
        services.TryAddCheck();
        return services;
    }

    public static TBuilder RequireAuthorizationDecision<TBuilder>(this TBuilder builder, string fix)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new ProtectedEndpointMetadata(fix));

    private static void TryAddCheck(this IServiceCollection services)
        => Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddEnumerable(
            services, ServiceDescriptor.Singleton<IStartupFilter, ProtectedEndpointsCheck>());
}
