using Crm.Database;
using Crm.Storage.EfCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the EF Core stores of both features, in the ready <see cref="CrmDbContext"/> or your own context.</summary>
public static class CrmStorageServiceCollectionExtensions
{
    /// <summary>
    /// Stores everything — both features and the outgoing webhooks' outbox — in the ready <see cref="CrmDbContext"/>, configured by <paramref name="configure"/>
    /// (<c>o =&gt; o.UseCrmSqlite("Data Source=crm.db")</c> or <c>o.UseCrmPostgres(...)</c>), with the migrations of the
    /// matching package: Crm.Database.Sqlite or Crm.Database.PostgreSql. Replaces any in-memory store.
    /// </summary>
    public static IServiceCollection AddCrmEntityFrameworkStores(this IServiceCollection services, Action<DbContextOptionsBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddPooledDbContextFactory<CrmDbContext>(options =>
        {
            configure(options);
            UseReadyMigrations(options);
        });
        // The ready context has the webhook tables: outgoing webhooks, when added, keep their outbox there too.
        services.AddCrmWebhookStore<CrmDbContext>();
        return services.AddCrmEntityFrameworkStores<CrmDbContext>();
    }

    /// <summary>
    /// Stores both features in your own context, which must call <c>modelBuilder.ApplyCrmChannels()</c> and
    /// <c>modelBuilder.ApplyCrmCampaigns()</c>, use a provider's <c>UseCrm…</c> and have an <see cref="IDbContextFactory{TContext}"/>
    /// registered (<c>AddDbContextFactory</c> or <c>AddPooledDbContextFactory</c>). Besides both features' stores
    /// (<c>AddCrmChannelStores</c>, <c>AddCrmCampaignStores</c>) it ties mail to campaigns: a bounce report or an
    /// unsubscribe mail that arrives through the email intake suppresses the campaign's recipient.
    /// </summary>
    public static IServiceCollection AddCrmEntityFrameworkStores<TContext>(this IServiceCollection services)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddCrmChannelStores<TContext>();
        services.AddCrmCampaignStores<TContext>();
        return services;
    }

    /// <summary>
    /// Points the ready context at the migrations for its database, by the packages' naming: the provider package
    /// Crm.Storage.EfCore.{Database} pairs with the migrations package Crm.Database.{Database}, so a provider added
    /// later needs no change here. A migrations assembly the caller chose is kept.
    /// </summary>
    private static void UseReadyMigrations(DbContextOptionsBuilder options)
    {
        var provider = options.Options.FindCrmDatabaseProvider();
        var relational = options.Options.Extensions.OfType<RelationalOptionsExtension>().SingleOrDefault();
        if (provider is null || relational is null || relational.MigrationsAssembly is not null)
        {
            return;
        }

        const string ProviderPrefix = "Crm.Storage.EfCore.";
        var providerAssembly = provider.GetType().Assembly.GetName().Name ?? "";
        if (providerAssembly.StartsWith(ProviderPrefix, StringComparison.Ordinal))
        {
            ((IDbContextOptionsBuilderInfrastructure)options).AddOrUpdateExtension(relational.WithMigrationsAssembly("Crm.Database." + providerAssembly[ProviderPrefix.Length..]));
        }
    }
}
