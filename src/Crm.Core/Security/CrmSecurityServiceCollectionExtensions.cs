using Crm.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers API-key authentication and the CRM's role policies.</summary>
public static class CrmSecurityServiceCollectionExtensions
{
    /// <summary>
    /// Authenticates callers by the <c>X-Api-Key</c> header against the keys in <paramref name="section"/> (each entry
    /// <c>{key} = Role</c>, or <c>{key}:Role</c> and <c>{key}:Agent</c>), makes the scheme the default, and adds the
    /// <see cref="CrmPolicies"/>. Keys are re-read when the configuration reloads; an unknown role stops the host at start.
    /// A host with its own schemes (cookies, OpenID Connect) calls <c>AddAuthentication(...).AddCrmApiKeys(section)</c> instead.
    /// </summary>
    public static AuthenticationBuilder AddCrmApiKeys(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        services.AddCrmAuthorizationPolicies();
        return services.AddAuthentication(CrmApiKeyDefaults.SchemeName).AddCrmApiKeys(section);
    }

    /// <summary>As <see cref="AddCrmApiKeys(IServiceCollection, IConfiguration)"/>, with the keys given in code.</summary>
    public static AuthenticationBuilder AddCrmApiKeys(this IServiceCollection services, Action<CrmApiKeyOptions> configure)
    {
        services.AddCrmAuthorizationPolicies();
        return services.AddAuthentication(CrmApiKeyDefaults.SchemeName).AddCrmApiKeys(configure);
    }

    /// <summary>Adds the API-key scheme to a host's own authentication, keys read from <paramref name="section"/>.</summary>
    public static AuthenticationBuilder AddCrmApiKeys(this AuthenticationBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        builder.Services.AddSingleton<IOptionsChangeTokenSource<CrmApiKeyOptions>>(new ConfigurationChangeTokenSource<CrmApiKeyOptions>(CrmApiKeyDefaults.SchemeName, section));
        return builder.AddCrmApiKeys(o => ReadKeys(section, o));
    }

    /// <summary>Adds the API-key scheme to a host's own authentication, keys given in code.</summary>
    public static AuthenticationBuilder AddCrmApiKeys(this AuthenticationBuilder builder, Action<CrmApiKeyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        // AddScheme validates the options (CrmApiKeyOptions.Validate) when they are first built: make that the start.
        builder.Services.AddOptions<CrmApiKeyOptions>(CrmApiKeyDefaults.SchemeName).ValidateOnStart();
        return builder.AddScheme<CrmApiKeyOptions, CrmApiKeyHandler>(CrmApiKeyDefaults.SchemeName, "API key", configure);
    }

    /// <summary>
    /// Adds <see cref="CrmPolicies.Agents"/> (Agent, Manager, Marketing), <see cref="CrmPolicies.Marketing"/> (Manager,
    /// Marketing) and <see cref="CrmPolicies.Managers"/> (Manager), checked on the caller's role claims whatever signed it in.
    /// </summary>
    public static IServiceCollection AddCrmAuthorizationPolicies(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddAuthorizationBuilder()
            .AddPolicy(CrmPolicies.Agents, policy => policy.RequireRole(CrmRoles.Agent, CrmRoles.Manager, CrmRoles.Marketing))
            .AddPolicy(CrmPolicies.Marketing, policy => policy.RequireRole(CrmRoles.Manager, CrmRoles.Marketing))
            .AddPolicy(CrmPolicies.Managers, policy => policy.RequireRole(CrmRoles.Manager));
        return services;
    }

    private static void ReadKeys(IConfiguration section, CrmApiKeyOptions options)
    {
        options.Source = section is IConfigurationSection named ? named.Path : null;
        options.Keys.Clear();
        foreach (var entry in section.GetChildren())
        {
            // "{key} = Role", or "{key}:Role" with "{key}:Agent" when the key acts as a named agent; a key set to
            // nothing (removed by an override) is no key.
            if (entry.Value is { Length: > 0 } role)
            {
                options.Keys.Add(new CrmApiKey(entry.Key, role));
            }
            else if (entry.GetChildren().Any())
            {
                options.Keys.Add(new CrmApiKey(entry.Key, entry["Role"] ?? "", entry["Agent"]));
            }
        }
    }
}
