using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Contacts;
using Crm.Campaigns.Tracking;
using Crm.Channels.Email;
using Crm.Channels.Storage;
using Crm.Storage.EfCore.Campaigns;
using Crm.Storage.EfCore.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Crm.Storage.EfCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the EF Core stores for Crm.Channels and Crm.Campaigns.</summary>
public static class CrmStorageServiceCollectionExtensions
{
    /// <summary>
    /// Stores everything in the ready <see cref="CrmDbContext"/>, configured by <paramref name="configure"/>
    /// (<c>o =&gt; o.UseCrmSqlite("Data Source=crm.db")</c> from Crm.Storage.EfCore.Sqlite, or <c>o.UseCrmPostgres(...)</c>). Replaces any in-memory store.
    /// </summary>
    public static IServiceCollection AddCrmEntityFrameworkStores(this IServiceCollection services, Action<DbContextOptionsBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddPooledDbContextFactory<CrmDbContext>(options =>
        {
            configure(options);
            // Every pixel hit and chat message runs SQL: at Information the log would be nothing else. Debug still has it.
            options.ConfigureWarnings(w => w.Log((RelationalEventId.CommandExecuted, LogLevel.Debug)));
        });
        return services.AddCrmEntityFrameworkStores<CrmDbContext>();
    }

    /// <summary>
    /// Stores everything in your own context, which must call <c>modelBuilder.ApplyCrmChannels()</c> and <c>modelBuilder.ApplyCrmCampaigns()</c> and have an
    /// <see cref="IDbContextFactory{TContext}"/> registered (<c>AddDbContextFactory</c> or <c>AddPooledDbContextFactory</c>).
    /// </summary>
    public static IServiceCollection AddCrmEntityFrameworkStores<TContext>(this IServiceCollection services)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(services);
        services.RemoveAll<ITicketStore>();
        services.AddSingleton<ITicketStore, EfTicketStore<TContext>>();
        services.RemoveAll<ICampaignStore>();
        services.AddSingleton<ICampaignStore, EfCampaignStore<TContext>>();
        services.RemoveAll<IContactDirectory>();
        services.AddSingleton<IContactDirectory, EfContactDirectory<TContext>>();
        services.RemoveAllKeyed<Crm.Channels.Attachments.IAttachmentStore>(Crm.Channels.Attachments.AttachmentOptions.DatabaseStoreKey);
        services.AddKeyedSingleton<Crm.Channels.Attachments.IAttachmentStore, EfAttachmentStore<TContext>>(Crm.Channels.Attachments.AttachmentOptions.DatabaseStoreKey);
        services.RemoveAll<IMailboxStateStore>();
        services.AddSingleton<IMailboxStateStore, EfMailboxStateStore<TContext>>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBounceSink, ContactBounceSink>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IUnsubscribeMailSink, CampaignUnsubscribeMailSink>());
        services.RemoveAll<ITrackingStore>();
        services.AddSingleton<ITrackingStore, EfTrackingStore<TContext>>();
        services.RemoveAll<Crm.Campaigns.Deliverability.IDeliveryEventStore>();
        services.AddSingleton<Crm.Campaigns.Deliverability.IDeliveryEventStore, EfDeliveryEventStore<TContext>>();
        services.TryAddSingleton<CrmDatabaseMigrator<TContext>>();
        services.TryAddSingleton<ICrmDatabaseMigrator>(sp => sp.GetRequiredService<CrmDatabaseMigrator<TContext>>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, CrmStoreStartupCheck<TContext>>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, DispatcherWakeups<TContext>>());
        services.TryAddSingleton(sp => new CrmStoreErrors(() =>
        {
            using var db = sp.GetRequiredService<IDbContextFactory<TContext>>().CreateDbContext();
            return db.FindCrmDatabaseProvider();
        }));
        return services;
    }
}
