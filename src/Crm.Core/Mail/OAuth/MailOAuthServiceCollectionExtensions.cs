using Crm.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Crm.Mail.OAuth;

/// <summary>Registers the OAuth token cache the mail features share, and declares their connections.</summary>
internal static class MailOAuthServiceCollectionExtensions
{
    /// <summary>The health check of a connection: <c>crm-mail-oauth-imap</c>, <c>crm-mail-oauth-smtp-replies</c>, ...</summary>
    public static string HealthCheckName(string connection) => "crm-mail-oauth-" + connection.Replace(':', '-');

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
        // A check per connection that signs in with OAuth, added to the host's health checks when it has them: the
        // public /health answer names only checks, so the check's name says which mailbox needs reconnecting.
        // The token cache decides which connections sign in with OAuth (it read their settings once); the checks follow it.
        services.AddOptions<HealthCheckServiceOptions>().Configure<MailOAuthTokens>((health, tokens) =>
        {
            foreach (var connection in tokens.CurrentStates())
            {
                health.Registrations.Add(new HealthCheckRegistration(
                    HealthCheckName(connection.Name),
                    provider => new MailOAuthHealthCheck(provider.GetRequiredService<MailOAuthTokens>(), connection.Name),
                    HealthStatus.Degraded,
                    [CrmHealthCheckTags.Crm, CrmHealthCheckTags.Mailbox]));
            }
        });
        return services;
    }
}
