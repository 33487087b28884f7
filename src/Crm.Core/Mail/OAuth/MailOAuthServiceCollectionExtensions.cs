using Crm.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Crm.Mail.OAuth;

/// <summary>Registers the OAuth token cache the mail features share, and declares their connections.</summary>
internal static class MailOAuthServiceCollectionExtensions
{
    /// <summary>The health check listing every OAuth mail connection that needs reconnecting.</summary>
    public const string HealthCheckName = "crm-mail-oauth";

    /// <summary>
    /// Declares a connection that signs in with OAuth when its settings say so (read when the options are built), and
    /// registers the shared token cache, its <see cref="HttpClient"/>, Data Protection and the health check once.
    /// </summary>
    public static IServiceCollection AddMailOAuthConnection(this IServiceCollection services, string name, Func<IServiceProvider, MailOAuthAccount?> resolve)
    {
        services.AddSingleton(new MailOAuthRegistration(name, resolve));
        if (services.Any(d => d.ServiceType == typeof(MailOAuthTokens)))
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddDataProtection();
        services.AddHttpClient(MailOAuthTokens.HttpClientName);
        services.AddSingleton<MailOAuthTokens>();
        // Added to the host's health checks when it has them (the registration is read only by AddHealthChecks).
        services.Configure<HealthCheckServiceOptions>(health => health.Registrations.Add(new HealthCheckRegistration(
            HealthCheckName,
            sp => new MailOAuthHealthCheck(sp.GetRequiredService<MailOAuthTokens>()),
            HealthStatus.Degraded,
            [CrmHealthCheckTags.Crm, CrmHealthCheckTags.Mailbox])));
        return services;
    }
}
