using Crm.Campaigns.Texts;
using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Contacts;
using Crm.Campaigns.Dispatching;
using Crm.Campaigns.Sending;
using Crm.Campaigns.Storage;
using Crm.Campaigns.Deliverability;
using Crm.Campaigns.Tracking;
using Crm.Hosting;
using Crm.Mail.OAuth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Crm.Campaigns.DependencyInjection;
using Crm.Campaigns;
using Crm.Campaigns.Management;
using Crm.Campaigns.Endpoints;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Crm.Campaigns.</summary>
public static class BulkEmailServiceCollectionExtensions
{
    /// <summary>Adds campaigns with default settings. Safe to call more than once.</summary>
    public static IBulkEmailBuilder AddBulkEmail(this IServiceCollection services) => services.AddBulkEmail(static _ => { });

    /// <summary>Adds campaigns with settings bound from a configuration section.</summary>
    public static IBulkEmailBuilder AddBulkEmail(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var builder = services.AddBulkEmail();
        services.AddOptions<BulkEmailOptions>().Bind(section);
        services.AddOptions<DispatcherOptions>().Bind(section);
        services.AddOptions<TrackingOptions>().Bind(section);
        // Each feature's settings under the section, as before the options were split: the keys are unchanged.
        services.AddOptions<WebhookOptions>().Bind(section.GetSection("Webhooks"));
        services.AddOptions<Crm.Campaigns.Subscriptions.SubscribeOptions>().Bind(section.GetSection("Subscribe"));
        services.AddOptions<RecipientTexts>().Bind(section.GetSection("Texts"));
        return builder;
    }

    /// <summary>The dispatcher's pace (<c>Crm:Campaigns</c>): batches and leases, rates overall and per domain, retries, when a campaign pauses itself.</summary>
    public static IBulkEmailBuilder ConfigureDispatcher(this IBulkEmailBuilder builder, Action<DispatcherOptions> configure) => Configure(builder, configure);

    /// <summary>Open and click tracking (<c>Crm:Campaigns</c>): on or off, machine opens, the pixel's write queue, the links' signing key.</summary>
    public static IBulkEmailBuilder ConfigureTracking(this IBulkEmailBuilder builder, Action<TrackingOptions> configure) => Configure(builder, configure);

    /// <summary>The sending providers' bounce and complaint webhooks (<c>Crm:Campaigns:Webhooks</c>): credentials, limits.</summary>
    public static IBulkEmailBuilder ConfigureDeliveryWebhooks(this IBulkEmailBuilder builder, Action<WebhookOptions> configure) => Configure(builder, configure);

    /// <summary>The public double opt-in form (<c>Crm:Campaigns:Subscribe</c>): on or off, the tags offered, the confirmation mail.</summary>
    public static IBulkEmailBuilder ConfigureSubscriptions(this IBulkEmailBuilder builder, Action<Crm.Campaigns.Subscriptions.SubscribeOptions> configure) => Configure(builder, configure);

    /// <summary>
    /// Subscribes <typeparamref name="THandler"/> to the CRM's events (<see cref="Crm.Events.CrmEventTypes"/>), for each
    /// <c>ICrmEventHandler&lt;TEvent&gt;</c> it implements: the same as <c>services.AddCrmEventHandler&lt;THandler&gt;()</c>.
    /// </summary>
    public static IBulkEmailBuilder AddEventHandler<THandler>(this IBulkEmailBuilder builder)
        where THandler : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddCrmEventHandler<THandler>();
        return builder;
    }

    /// <summary>
    /// Sets the words recipients see — the footer and the unsubscribe and confirmation pages — or their whole page
    /// (<see cref="RecipientTexts.Layout"/>); English by default.
    /// </summary>
    public static IBulkEmailBuilder ConfigureRecipientTexts(this IBulkEmailBuilder builder, Action<RecipientTexts> configure) => Configure(builder, configure);

    /// <summary>Adds campaigns: the API's services, tracking, and the dispatcher as a hosted service.</summary>
    public static IBulkEmailBuilder AddBulkEmail(this IServiceCollection services, Action<BulkEmailOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<BulkEmailOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RecipientTexts>().ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DispatcherOptions>().ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TrackingOptions>().ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WebhookOptions>().ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Crm.Campaigns.Subscriptions.SubscribeOptions>().ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TrackingKeyProvider>();
        services.TryAddSingleton<TrackingBaseUrl>();
        services.AddCrmEvents();
        services.TryAddSingleton(sp => new CampaignControl(sp.GetRequiredService<ICampaignStore>(), sp.GetRequiredService<DispatcherSignal>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Crm.Events.CrmEventPublisher>()));
        services.TryAddSingleton<DispatcherSignal>();
        services.TryAddSingleton<Crm.Hosting.LoopHealthRegistry>();
        services.TryAddSingleton<BulkEmailMarker>();
        services.AddProtectedEndpointsCheck();
        services.TryAddSingleton(sp => new CampaignComposer(sp.GetRequiredService<ICampaignStore>(), sp.GetRequiredService<ICampaignSender>(), sp.GetRequiredService<DispatcherSignal>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<BulkEmailOptions>>(), sp.GetRequiredService<IOptions<TrackingOptions>>(), sp.GetRequiredService<IOptions<RecipientTexts>>()));
        services.TryAddSingleton(sp => new ContactImporter(sp.GetRequiredService<IContactDirectory>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<BulkEmailOptions>>(), sp.GetRequiredService<Crm.Events.CrmEventPublisher>()));
        services.TryAddSingleton<Unsubscriptions>();
        services.TryAddSingleton(sp => new DeliveryEvents(sp.GetRequiredService<IDeliveryEventStore>(), sp.GetRequiredService<TrackingKeyProvider>(), sp.GetRequiredService<IOptions<WebhookOptions>>(), sp.GetRequiredService<Crm.Events.CrmEventPublisher>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<DeliveryEvents>>()));
        services.TryAddSingleton<Crm.Campaigns.Subscriptions.Subscriptions>();
        services.TryAddSingleton<Crm.Campaigns.Subscriptions.SubscriptionMailer>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, Crm.Campaigns.Subscriptions.SubscriptionMailer>(sp => sp.GetRequiredService<Crm.Campaigns.Subscriptions.SubscriptionMailer>()));
        services.TryAddSingleton<DeliveryWebhooks>();
        // The email intake (Crm.Channels), when the host has it, hands these the bounce reports and unsubscribe mails
        // that name campaign mail; without it nothing calls them.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Crm.Mail.IBounceSink, BounceMailSink>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Crm.Mail.IUnsubscribeMailSink, UnsubscribeMailSink>());
        services.TryAddSingleton<SnsCertificates>();
        services.AddHttpClient(SnsCertificates.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        if (!services.Any(d => d.ServiceType == typeof(CampaignDispatcher)))
        {
            services.AddSingleton<OpenRecorder>();
            services.AddSingleton<CampaignLinks>();
            services.AddHostedService(sp => sp.GetRequiredService<OpenRecorder>());
            services.AddSingleton<CampaignDispatcher>();
            services.AddHostedService(sp => sp.GetRequiredService<CampaignDispatcher>());
        }

        services.AddProblemDetails();
        return new BulkEmailBuilder(services);
    }

    /// <summary>Sends through an SMTP server on pooled, pipelined connections (<see cref="SmtpCampaignSender"/>).</summary>
    public static IBulkEmailBuilder UseSmtp(this IBulkEmailBuilder builder, Action<SmtpOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<SmtpOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddMailOAuthConnection(SmtpCampaignSender.OAuthConnectionName, sp =>
        {
            var smtp = sp.GetRequiredService<IOptions<SmtpOptions>>().Value;
            return new MailOAuthAccount(smtp.UserName ?? "", smtp.OAuth);
        });
        builder.Services.RemoveAll<ICampaignSender>();
        builder.Services.AddSingleton(sp => new SmtpCampaignSender(sp.GetRequiredService<IOptions<SmtpOptions>>(), sp.GetRequiredService<MailOAuthTokens>(), sp.GetRequiredService<ILogger<SmtpCampaignSender>>()));
        builder.Services.AddSingleton<ICampaignSender>(sp => sp.GetRequiredService<SmtpCampaignSender>());
        return builder;
    }

    /// <summary>Sends through an SMTP server bound from configuration (<c>Host</c>, <c>Port</c>, <c>UserName</c>, ...).</summary>
    public static IBulkEmailBuilder UseSmtp(this IBulkEmailBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return builder.UseSmtp(section.Bind);
    }

    /// <summary>
    /// Writes messages as <c>.eml</c> files into the folder <c>outbox</c> of the current directory instead of sending
    /// them (demos, development).
    /// </summary>
    public static IBulkEmailBuilder UsePickupDirectory(this IBulkEmailBuilder builder) => builder.UsePickupDirectory(_ => { });

    /// <summary>Writes messages as <c>.eml</c> files into a folder instead of sending them (demos, development).</summary>
    public static IBulkEmailBuilder UsePickupDirectory(this IBulkEmailBuilder builder, Action<PickupDirectoryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<PickupDirectoryOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.RemoveAll<ICampaignSender>();
        builder.Services.AddSingleton<PickupDirectoryCampaignSender>();
        builder.Services.AddSingleton<ICampaignSender>(sp => sp.GetRequiredService<PickupDirectoryCampaignSender>());
        return builder;
    }

    /// <summary>
    /// Keeps contacts, campaigns and tracking in process memory: for tests and demos only, everything is lost on
    /// restart. Use <c>AddCrmEntityFrameworkStores</c> from Crm.Storage.EfCore for a database.
    /// </summary>
    public static IBulkEmailBuilder UseInMemoryStores(this IBulkEmailBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<InMemoryCampaignStores>();
        builder.Services.TryAddSingleton<ICampaignStore>(sp => sp.GetRequiredService<InMemoryCampaignStores>());
        builder.Services.TryAddSingleton<IContactDirectory>(sp => sp.GetRequiredService<InMemoryCampaignStores>());
        builder.Services.TryAddSingleton<ITrackingStore>(sp => sp.GetRequiredService<InMemoryCampaignStores>());
        builder.Services.TryAddSingleton<IDeliveryEventStore>(sp => sp.GetRequiredService<InMemoryCampaignStores>());
        builder.Services.TryAddSingleton<Crm.Campaigns.Segments.ISavedSegmentStore>(sp => sp.GetRequiredService<InMemoryCampaignStores>());
        builder.Services.TryAddSingleton<Crm.Security.ICrmSecretStore, Crm.Security.InMemoryCrmSecretStore>();
        return builder;
    }

    /// <summary>Sends through your own transport (an HTTP email API, a queue).</summary>
    public static IBulkEmailBuilder UseSender<TSender>(this IBulkEmailBuilder builder)
        where TSender : class, ICampaignSender
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<ICampaignSender>();
        builder.Services.AddSingleton<ICampaignSender, TSender>();
        return builder;
    }

    private sealed class BulkEmailBuilder(IServiceCollection services) : IBulkEmailBuilder
    {
        public IServiceCollection Services { get; } = services;
    }

    /// <summary>Adds <paramref name="configure"/> to the options registered (and validated at start) by <c>AddBulkEmail()</c>.</summary>
    private static IBulkEmailBuilder Configure<TOptions>(IBulkEmailBuilder builder, Action<TOptions> configure)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }
}
