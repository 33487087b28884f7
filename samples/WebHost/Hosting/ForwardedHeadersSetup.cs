using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Crm.WebHost.Hosting;

internal static class ForwardedHeadersSetup
{
    /// <summary>True when proxies are listed; with none, the middleware must stay off (an empty list trusts everyone).</summary>
    public static bool HasTrustedProxies(IConfiguration configuration)
        => configuration.GetSection(HostSettings.TrustedProxies).Get<string[]>() is { Length: > 0 };

    /// <summary>
    /// Honours <c>X-Forwarded-For/Proto/Host</c> only from the proxies listed in
    /// <c>Crm:ForwardedHeaders:KnownProxies</c>: from anyone else they are ignored, so a client cannot pose
    /// as another host (which would also defeat Twilio signature checks).
    /// </summary>
    public static IServiceCollection AddCrmForwardedHeaders(this IServiceCollection services, IConfiguration configuration)
    {
        var proxies = configuration.GetSection(HostSettings.TrustedProxies).Get<string[]>() ?? [];
        return services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                options.KnownProxies.Add(IPAddress.Parse(proxy));
            }
        });
    }
}
