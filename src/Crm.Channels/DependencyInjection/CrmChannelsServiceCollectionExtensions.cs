using Crm.Channels.Management;
using Crm.Channels.Replies;
using Microsoft.AspNetCore.Http;
using Crm.Channels.Adapters;
using Crm.Channels.Attachments;
using Crm.Channels.Chat;
using Crm.Channels.Email;
using Crm.Channels.Ingestion;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Crm.Channels.Storage;
using Crm.Hosting;
using Crm.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Crm.Channels.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Crm.Channels: the ingestion pipeline, adapters and stores.</summary>
public static class CrmChannelsServiceCollectionExtensions
{
    /// <summary>Adds the ingestion pipeline with default limits. Safe to call more than once.</summary>
    public static ICrmChannelsBuilder AddCrmChannels(this IServiceCollection services)
        => services.AddCrmChannels(static _ => { });

    /// <summary>Adds the ingestion pipeline with limits bound from a configuration section.</summary>
    public static ICrmChannelsBuilder AddCrmChannels(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var builder = services.AddCrmChannels();
        services.AddOptions<IngestionOptions>().Bind(section);
        return builder;
    }

    /// <summary>Adds the ingestion pipeline and configures its limits. Safe to call more than once.</summary>
    public static ICrmChannelsBuilder AddCrmChannels(this IServiceCollection services, Action<IngestionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<IngestionOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        EmailReader.RegisterLegacyCharsets();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<Crm.Hosting.LoopHealthRegistry>();
        services.TryAddSingleton<IIngestionPipeline, IngestionPipeline>();
        services.TryAddSingleton<ChannelAdapterRegistry>();
        services.TryAddSingleton<CrmChannelsMarker>();
        services.AddOptions<ReplyOutboxOptions>().ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ConversationChanges>();
        services.TryAddSingleton<TicketReplies>();
        services.AddCrmEvents();
        services.TryAddSingleton(sp => new TicketStatusChanges(sp.GetRequiredService<ITicketStore>(), sp.GetRequiredService<Crm.Events.CrmEventPublisher>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<DeliveryStatusUpdates>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITicketEventHandler, CrmEventBridge>());
        services.TryAddSingleton(ReplyAuthor.LoginName);
        services.AddOptions<AttachmentOptions>().ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<FileSystemAttachmentStore>();
        services.TryAddSingleton<IAttachmentStore>(sp => sp.GetRequiredService<IOptions<AttachmentOptions>>().Value.Store == AttachmentStoreKind.Database
            ? sp.GetKeyedService<IAttachmentStore>(AttachmentOptions.DatabaseStoreKey)
                ?? throw new InvalidOperationException("Crm:Attachments:Store is Database, but no database store is registered: call services.AddCrmEntityFrameworkStores(...) from Crm.Storage.EfCore.")
            : sp.GetRequiredService<FileSystemAttachmentStore>());
        services.TryAddSingleton<AttachmentLinks>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AttachmentRetention>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ReplyOutbox>());
        services.AddProtectedEndpointsCheck();
        services.AddProblemDetails();
        return new CrmChannelsBuilder(services);
    }

    /// <summary>Adds the website chat channel (<c>POST /tickets?channel=chat</c>).</summary>
    public static ICrmChannelsBuilder AddChat(this ICrmChannelsBuilder builder) => builder.AddChat(static _ => { });

    /// <summary>Adds the website chat channel with limits bound from a configuration section.</summary>
    public static ICrmChannelsBuilder AddChat(this ICrmChannelsBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        builder.AddChat();
        builder.Services.AddOptions<ChatOptions>().Bind(section);
        return builder;
    }

    /// <summary>Adds the website chat channel and configures its limits.</summary>
    public static ICrmChannelsBuilder AddChat(this ICrmChannelsBuilder builder, Action<ChatOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<ChatOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton<VisitorTokens>();
        builder.Services.TryAddSingleton<ChatStreamLimits>();
        builder.Services.TryAddSingleton<ChatUploadQuotas>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ConversationChangeWatcher>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ChatOfflineCopies>());
        builder.Services.AddOptions<OfflineCopyOptions>().Configure<IOptions<ChatOptions>>((copies, chat) => copies.DelayByChannel[ChatAdapter.ChannelName] = chat.Value.OfflineEmailAfter);
        return builder.AddAdapter<ChatAdapter>().AddReplySender<ChatReplySender>();
    }

    /// <summary>
    /// Adds a channel adapter, yours or a built-in one, as a singleton. Each adapter's
    /// <see cref="IChannelAdapter.Channel"/> must be unique; two adapters claiming one name fail at start.
    /// </summary>
    public static ICrmChannelsBuilder AddAdapter<TAdapter>(this ICrmChannelsBuilder builder)
        where TAdapter : class, IChannelAdapter
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelAdapter, TAdapter>());
        return builder;
    }

    /// <summary>
    /// Adds the sender that delivers agents' replies on its <see cref="IChannelReplySender.Channel"/>, yours or a
    /// built-in one. The last one registered for a channel is used. A sender you did not register yourself is one
    /// instance for the application's lifetime; one you registered (a typed client with
    /// <c>services.AddHttpClient&lt;TSender&gt;()</c>, or a scoped or transient service) is resolved in a new scope for
    /// every send, so it gets its configured <see cref="HttpClient"/> and scoped services.
    /// </summary>
    public static ICrmChannelsBuilder AddReplySender<TSender>(this ICrmChannelsBuilder builder)
        where TSender : class, IChannelReplySender
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(d => d.ServiceType == typeof(ReplySenderRegistration<TSender>)))
        {
            return builder;
        }

        builder.Services.AddSingleton<ReplySenderRegistration<TSender>>();
        builder.Services.AddSingleton<IChannelReplySender>(services => services.GetRequiredService<ReplySenderRegistration<TSender>>().Sender);
        return builder;
    }

    /// <summary>Configures where and within which limits customers' attachments are kept.</summary>
    public static ICrmChannelsBuilder ConfigureAttachments(this ICrmChannelsBuilder builder, Action<AttachmentOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Configures how the reply outbox delivers, retries and shares replies between host instances.</summary>
    public static ICrmChannelsBuilder ConfigureReplyOutbox(this ICrmChannelsBuilder builder, Action<ReplyOutboxOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>
    /// Names the author of agents' replies (what the transcript shows and a signature can use) from the request that
    /// posts them, instead of the signed-in name: e.g. <c>context =&gt; context.User.FindFirst("display_name")?.Value</c>.
    /// A hook that returns null or blank stores the reply without an author.
    /// </summary>
    public static ICrmChannelsBuilder UseReplyAuthor(this ICrmChannelsBuilder builder, Func<HttpContext, string?> authorOf)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(authorOf);
        builder.Services.Replace(ServiceDescriptor.Singleton(new ReplyAuthor(authorOf)));
        return builder;
    }

    /// <summary>
    /// Subscribes <typeparamref name="THandler"/> to the CRM's events (<see cref="Crm.Events.CrmEventTypes"/>), for each
    /// <c>ICrmEventHandler&lt;TEvent&gt;</c> it implements: the same as <c>services.AddCrmEventHandler&lt;THandler&gt;()</c>.
    /// </summary>
    public static ICrmChannelsBuilder AddEventHandler<THandler>(this ICrmChannelsBuilder builder)
        where THandler : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddCrmEventHandler<THandler>();
        return builder;
    }

    /// <summary>Subscribes a handler to ticket events; any number can be added.</summary>
    public static ICrmChannelsBuilder AddTicketEventHandler<THandler>(this ICrmChannelsBuilder builder)
        where THandler : class, ITicketEventHandler
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITicketEventHandler, THandler>());
        return builder;
    }

    /// <summary>
    /// Keeps tickets in process memory: for tests and demos only, everything is lost on restart.
    /// Use <c>AddCrmEntityFrameworkStores</c> from Crm.Storage.EfCore for a database.
    /// </summary>
    public static ICrmChannelsBuilder UseInMemoryStore(this ICrmChannelsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<InMemoryTicketStore>();
        builder.Services.TryAddSingleton<ITicketStore>(sp => sp.GetRequiredService<InMemoryTicketStore>());
        builder.Services.TryAddSingleton<ITicketContactStore>(sp => sp.GetRequiredService<InMemoryTicketStore>());
        builder.Services.TryAddSingleton<ITicketQueryStore>(sp => sp.GetRequiredService<InMemoryTicketStore>());
        builder.Services.TryAddSingleton<IReplyOutboxStore>(sp => sp.GetRequiredService<InMemoryTicketStore>());
        builder.Services.TryAddSingleton<ICrmSecretStore, InMemoryCrmSecretStore>();
        builder.Services.TryAddSingleton<IMailboxStateStore, InMemoryMailboxStateStore>();
        return builder;
    }

    /// <summary>
    /// Uses <typeparamref name="TStore"/> (one instance) for every ticket store interface it implements —
    /// <see cref="ITicketStore"/>, <see cref="ITicketContactStore"/>, <see cref="ITicketQueryStore"/>,
    /// <see cref="IReplyOutboxStore"/> — replacing what was registered for them. A store written one concern at a time
    /// is registered once per class; the interfaces it does not implement keep their registration.
    /// </summary>
    public static ICrmChannelsBuilder UseTicketStore<TStore>(this ICrmChannelsBuilder builder)
        where TStore : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        Type[] concerns = [typeof(ITicketStore), typeof(ITicketContactStore), typeof(ITicketQueryStore), typeof(IReplyOutboxStore)];
        var implemented = concerns.Where(c => c.IsAssignableFrom(typeof(TStore))).ToList();
        if (implemented.Count == 0)
        {
            throw new ArgumentException($"{typeof(TStore).Name} implements none of the ticket store interfaces ({string.Join(", ", concerns.Select(c => c.Name))}).", nameof(builder));
        }

        builder.Services.TryAddSingleton<TStore>();
        foreach (var concern in implemented)
        {
            builder.Services.RemoveAll(concern);
            builder.Services.AddSingleton(concern, sp => sp.GetRequiredService<TStore>());
        }

        return builder;
    }
}
