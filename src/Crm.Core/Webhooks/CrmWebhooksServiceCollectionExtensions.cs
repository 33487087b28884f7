using System.Net.Sockets;
using Crm.Hosting;
using Crm.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers outgoing webhooks: every CRM event, signed, to the endpoints that asked for it.</summary>
public static class CrmWebhooksServiceCollectionExtensions
{
    /// <summary>Adds outgoing webhooks with options bound from <paramref name="section"/> (<c>Crm:Webhooks</c>).</summary>
    public static ICrmWebhooksBuilder AddCrmWebhooks(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var builder = services.AddCrmWebhooks(static _ => { });
        services.AddOptions<OutgoingWebhookOptions>().Bind(section);
        return builder;
    }

    /// <summary>
    /// Adds outgoing webhooks: the outbox every CRM event is written to, and the dispatcher that delivers it (Standard
    /// Webhooks signatures, retries for <see cref="OutgoingWebhookOptions.MaxRetryAge"/>, public addresses only). A store
    /// comes from <c>AddCrmEntityFrameworkStores(...)</c>, or <c>UseInMemoryStore()</c> for tests.
    /// </summary>
    public static ICrmWebhooksBuilder AddCrmWebhooks(this IServiceCollection services, Action<OutgoingWebhookOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<OutgoingWebhookOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LoopHealthRegistry>();
        services.TryAddSingleton<WebhookSignal>();
        services.TryAddSingleton(sp => new WebhookSubscriptions(
            sp.GetRequiredService<IWebhookStore>(), sp.GetRequiredService<WebhookSignal>(), sp.GetRequiredService<Microsoft.Extensions.Hosting.IHostEnvironment>(),
            sp.GetRequiredService<IOptions<OutgoingWebhookOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddCrmEventHandler<WebhookOutbox>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, WebhookDispatcher>());
        services.AddProtectedEndpointsCheck();
        services.AddHttpClient(WebhookDispatcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var options = sp.GetRequiredService<IOptions<OutgoingWebhookOptions>>();
                return new SocketsHttpHandler
                {
                    // A redirect could lead anywhere: the receiver's answer is final. No proxy: it would hide the address.
                    AllowAutoRedirect = false,
                    UseProxy = false,
                    UseCookies = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    ConnectCallback = (context, cancellationToken) => ConnectAsync(context, options.Value.AllowPrivateNetworks, cancellationToken),
                };
            });
        return new CrmWebhooksBuilder(services);
    }

    /// <summary>
    /// Connects to an address the destination's name resolves to now, checked now: a name re-pointed at an internal
    /// address after the endpoint was created is refused at delivery (DNS rebinding).
    /// </summary>
    private static async ValueTask<Stream> ConnectAsync(System.Net.Http.SocketsHttpConnectionContext context, bool allowPrivate, CancellationToken cancellationToken)
    {
        var addresses = await WebhookDestinations.ResolveAsync(context.DnsEndPoint.Host, allowPrivate, cancellationToken).ConfigureAwait(false);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Keeps endpoints and deliveries in process memory: for tests and demos only, everything is lost on restart.</summary>
    public static ICrmWebhooksBuilder UseInMemoryStore(this ICrmWebhooksBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<IWebhookStore, InMemoryWebhookStore>();
        return builder;
    }

    private sealed class CrmWebhooksBuilder(IServiceCollection services) : ICrmWebhooksBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
