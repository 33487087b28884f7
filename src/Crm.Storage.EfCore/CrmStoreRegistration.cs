using Microsoft.Extensions.Logging;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Crm.Storage.EfCore;

/// <summary>What every feature's stores need once per context, whichever feature packages register them.</summary>
internal static class CrmStoreRegistration
{
    /// <summary>
    /// Registers the migrator, the start-time check, the store-error classification and the clock for
    /// <typeparamref name="TContext"/>, and what <paramref name="requirement"/>'s feature needs of the context.
    /// </summary>
    public static IServiceCollection AddCrmStoreCore<TContext>(this IServiceCollection services, CrmStoreRequirement requirement)
        where TContext : DbContext
    {
        services.TryAddSingleton(TimeProvider.System);
        if (!services.Any(d => d.ServiceType == typeof(QuietCommandLog<TContext>)))
        {
            // The CRM's loops query the context every few seconds (the dispatcher, the reply outbox, the IMAP poller): at
            // Information EF's "Executed DbCommand" would be most of the host's log. Debug still has every command; a
            // host that wants them back calls ConfigureDbContext<TContext> with its own level after this.
            services.AddSingleton<QuietCommandLog<TContext>>();
            services.ConfigureDbContext<TContext>(o => o.ConfigureWarnings(w => w.Log((RelationalEventId.CommandExecuted, LogLevel.Debug))));
        }

        services.RemoveAll<Crm.Security.ICrmSecretStore>();
        services.AddSingleton<Crm.Security.ICrmSecretStore, EfSecretStore<TContext>>();
        if (!services.Any(d => d.ServiceType == typeof(EfDataProtectionKeyRepository<TContext>)))
        {
            // Data Protection's keys beside the secrets they protect: a refresh token one instance stored, another decrypts.
            services.AddSingleton<EfDataProtectionKeyRepository<TContext>>();
            services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>>(sp =>
                new Microsoft.Extensions.Options.ConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(
                    options => options.XmlRepository ??= sp.GetRequiredService<EfDataProtectionKeyRepository<TContext>>()));
        }

        services.TryAddSingleton<CrmDatabaseMigrator<TContext>>();
        services.TryAddSingleton<ICrmDatabaseMigrator>(sp => sp.GetRequiredService<CrmDatabaseMigrator<TContext>>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CrmStoreStartupCheck<TContext>>());
        if (!services.Any(d => d.ServiceType == typeof(CrmStoreRequirement) && Equals(d.ImplementationInstance, requirement)))
        {
            services.AddSingleton(requirement);
        }

        services.TryAddSingleton(sp => new CrmStoreErrors(() =>
        {
            using var db = sp.GetRequiredService<IDbContextFactory<TContext>>().CreateDbContext();
            return db.FindCrmDatabaseProvider();
        }));
        services.TryAddSingleton<Crm.Storage.ICrmStoreErrorClassifier>(sp => sp.GetRequiredService<CrmStoreErrors>());
        return services;
    }
}

/// <summary>
/// A feature's demand on the context, checked at start: when <see cref="InUse"/> says the feature is registered, the
/// context must map <see cref="Entity"/>; otherwise the host stops with <see cref="Fix"/> (<c>{0}</c> is the context's name).
/// </summary>
internal sealed record CrmStoreRequirement(Type Entity, Func<IServiceProvider, bool> InUse, string Fix);

/// <summary>Marks a context whose command log the CRM already lowered, so both feature registrations do it once.</summary>
internal sealed class QuietCommandLog<TContext>
    where TContext : DbContext;
