using Crm.Channels.Attachments;
using Crm.Channels.Email;
using Crm.Channels.Ingestion;
using Crm.Channels.Storage;
using Crm.Storage.EfCore;
using Crm.Storage.EfCore.Channels;
using Crm.Storage.EfCore.Channels.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the EF Core stores for Crm.Channels.</summary>
public static class CrmChannelsStorageServiceCollectionExtensions
{
    private static readonly CrmStoreRequirement TicketTables = new(
        typeof(TicketRecord),
        services => services.GetService<IIngestionPipeline>() is not null,
        "Crm.Channels is registered but {0} has no ticket tables: call modelBuilder.ApplyCrmChannels() in {0}.OnModelCreating.");

    /// <summary>
    /// Keeps tickets, messages, mailbox checkpoints, quarantined mail and (with <c>Crm:Attachments:Store=Database</c>)
    /// attachments in <typeparamref name="TContext"/>, which must call <c>modelBuilder.ApplyCrmChannels()</c>, be
    /// configured with a provider's <c>UseCrm…</c> and have an <see cref="IDbContextFactory{TContext}"/> registered
    /// (<c>AddDbContextFactory</c> or <c>AddPooledDbContextFactory</c>). Replaces the in-memory stores.
    /// </summary>
    public static IServiceCollection AddCrmChannelStores<TContext>(this IServiceCollection services)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(services);
        services.RemoveAll<EfTicketStore<TContext>>();
        services.AddSingleton<EfTicketStore<TContext>>();
        services.RemoveAll<ITicketStore>();
        services.AddSingleton<ITicketStore>(sp => sp.GetRequiredService<EfTicketStore<TContext>>());
        services.RemoveAll<ITicketContactStore>();
        services.AddSingleton<ITicketContactStore>(sp => sp.GetRequiredService<EfTicketStore<TContext>>());
        services.RemoveAll<ITicketQueryStore>();
        services.AddSingleton<ITicketQueryStore>(sp => sp.GetRequiredService<EfTicketStore<TContext>>());
        services.RemoveAll<IReplyOutboxStore>();
        services.AddSingleton<IReplyOutboxStore>(sp => sp.GetRequiredService<EfTicketStore<TContext>>());
        services.RemoveAllKeyed<IAttachmentStore>(AttachmentOptions.DatabaseStoreKey);
        services.AddKeyedSingleton<IAttachmentStore, EfAttachmentStore<TContext>>(AttachmentOptions.DatabaseStoreKey);
        services.RemoveAll<IMailboxStateStore>();
        services.AddSingleton<IMailboxStateStore, EfMailboxStateStore<TContext>>();
        return services.AddCrmStoreCore<TContext>(TicketTables);
    }
}
