using Crm.Channels.Replies;
using Crm.Channels.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Crm.Channels.WhatsApp;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the WhatsApp (Twilio) channel.</summary>
public static class WhatsAppBuilderExtensions
{
    /// <summary>Adds the WhatsApp channel with one (default) Twilio account.</summary>
    public static ICrmChannelsBuilder AddWhatsApp(this ICrmChannelsBuilder builder, Action<WhatsAppOptions> configure)
        => builder.AddWhatsApp(Microsoft.Extensions.Options.Options.DefaultName, configure);

    /// <summary>Adds the WhatsApp channel with one (default) Twilio account bound from configuration.</summary>
    public static ICrmChannelsBuilder AddWhatsApp(this ICrmChannelsBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return builder.AddWhatsApp(Microsoft.Extensions.Options.Options.DefaultName, section.Bind);
    }

    /// <summary>
    /// Adds a named Twilio account (call once per account or number). Inbound webhooks are matched to the
    /// account by their <c>AccountSid</c>; <see cref="IWhatsAppSender"/> sends from the account the message names.
    /// </summary>
    public static ICrmChannelsBuilder AddWhatsApp(this ICrmChannelsBuilder builder, string name, Action<WhatsAppOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<WhatsAppOptions>(name).Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(new WhatsAppAccountRegistration(name));
        services.TryAddSingleton<WhatsAppAccounts>();
        services.TryAddSingleton<IWhatsAppSender, TwilioWhatsAppSender>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelReplySender, WhatsAppReplySender>());
        if (!services.Any(d => d.ServiceType == typeof(WhatsAppHttpClientMarker)))
        {
            services.AddSingleton<WhatsAppHttpClientMarker>();
            services.AddSingleton<WhatsAppMediaFetcher>();
            services.AddHostedService(sp => sp.GetRequiredService<WhatsAppMediaFetcher>());
            services.AddSingleton<Crm.Channels.Ingestion.ITicketEventHandler>(sp => sp.GetRequiredService<WhatsAppMediaFetcher>());
            // The fetcher's own deadline (WhatsAppOptions.MediaTimeout) covers headers and body; it follows redirects itself to check each hop.
            services.AddHttpClient(WhatsAppMediaFetcher.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
            services.AddHttpClient(TwilioWhatsAppSender.HttpClientName)
                .AddStandardResilienceHandler(o =>
                {
                    // 429 and 5xx are retried with exponential backoff and jitter, honouring Retry-After.
                    o.Retry.MaxRetryAttempts = 3;
                    o.Retry.Delay = TimeSpan.FromMilliseconds(500);
                });
        }

        return builder.AddAdapter<WhatsAppAdapter>();
    }

    private sealed class WhatsAppHttpClientMarker;
}
