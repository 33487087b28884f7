using Crm.Storage.EfCore;
using Crm.Storage.EfCore.Webhooks;
using Crm.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Keeps outgoing webhooks (endpoints, outbox, delivery log) in an EF Core context.</summary>
public static class CrmWebhooksStorageExtensions
{
    private static readonly CrmStoreRequirement WebhookTables = new(
        typeof(WebhookEndpointRecord),
        services => services.GetService<IWebhookStore>() is not null,
        "Outgoing webhooks are registered but {0} has no webhook tables: call modelBuilder.ApplyCrmWebhooks() in {0}.OnModelCreating.");

    /// <summary>
    /// Keeps the webhook endpoints and their outbox in <typeparamref name="TContext"/>, which must call
    /// <c>modelBuilder.ApplyCrmWebhooks()</c>; several hosts sharing the database deliver each event once.
    /// <c>AddCrmEntityFrameworkStores(...)</c> (the ready context) does this for you.
    /// </summary>
    public static ICrmWebhooksBuilder UseEntityFrameworkStore<TContext>(this ICrmWebhooksBuilder builder)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddCrmWebhookStore<TContext>();
        return builder;
    }

    /// <summary>Registers the EF webhook store (replacing any other) and its start-time table check.</summary>
    internal static IServiceCollection AddCrmWebhookStore<TContext>(this IServiceCollection services)
        where TContext : DbContext
    {
        services.RemoveAll<IWebhookStore>();
        services.AddSingleton<IWebhookStore, EfWebhookStore<TContext>>();
        return services.AddCrmStoreCore<TContext>(WebhookTables);
    }
}
