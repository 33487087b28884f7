using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Contacts;
using Crm.Campaigns.Deliverability;
using Crm.Campaigns.Tracking;
using Crm.Storage.EfCore;
using Crm.Storage.EfCore.Campaigns;
using Crm.Storage.EfCore.Campaigns.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the EF Core stores for Crm.Campaigns.</summary>
public static class CrmCampaignsStorageServiceCollectionExtensions
{
    private static readonly CrmStoreRequirement CampaignTables = new(
        typeof(CampaignRecord),
        services => services.GetService<TrackingKeyProvider>() is not null,
        "Crm.Campaigns is registered (AddBulkEmail) but {0} has no campaign tables: call modelBuilder.ApplyCrmCampaigns() in {0}.OnModelCreating.");

    /// <summary>
    /// Keeps contacts, campaigns and their send ledger, tracking and delivery events in <typeparamref name="TContext"/>,
    /// which must call <c>modelBuilder.ApplyCrmCampaigns()</c>, be configured with a provider's <c>UseCrm…</c> and have an
    /// <see cref="IDbContextFactory{TContext}"/> registered (<c>AddDbContextFactory</c> or <c>AddPooledDbContextFactory</c>).
    /// Replaces the in-memory stores; on PostgreSQL a campaign created on one host wakes every host's dispatcher.
    /// </summary>
    public static IServiceCollection AddCrmCampaignStores<TContext>(this IServiceCollection services)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(services);
        services.RemoveAll<ICampaignStore>();
        services.AddSingleton<ICampaignStore, EfCampaignStore<TContext>>();
        services.RemoveAll<IContactDirectory>();
        services.AddSingleton<IContactDirectory, EfContactDirectory<TContext>>();
        services.RemoveAll<ITrackingStore>();
        services.AddSingleton<ITrackingStore, EfTrackingStore<TContext>>();
        services.RemoveAll<IDeliveryEventStore>();
        services.AddSingleton<IDeliveryEventStore, EfDeliveryEventStore<TContext>>();
        services.RemoveAll<Crm.Campaigns.Segments.ISavedSegmentStore>();
        services.AddSingleton<Crm.Campaigns.Segments.ISavedSegmentStore, EfSavedSegmentStore<TContext>>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DispatcherWakeups<TContext>>());
        return services.AddCrmStoreCore<TContext>(CampaignTables);
    }
}
