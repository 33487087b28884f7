using Crm.Events;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Subscribes in-process handlers to the CRM's events.</summary>
public static class CrmEventsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="THandler"/> (one singleton) for every <see cref="ICrmEventHandler{TEvent}"/> it
    /// implements. Any number of handlers can be added; adding the same one twice registers it once.
    /// </summary>
    public static IServiceCollection AddCrmEventHandler<THandler>(this IServiceCollection services)
        where THandler : class
    {
        ArgumentNullException.ThrowIfNull(services);
        var handled = typeof(THandler).GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICrmEventHandler<>))
            .ToList();
        if (handled.Count == 0)
        {
            throw new ArgumentException($"{typeof(THandler).Name} implements no ICrmEventHandler<TEvent>.", nameof(THandler));
        }

        services.AddCrmEvents();
        if (services.Any(d => d.ServiceType == typeof(CrmEventHandlerRegistration<THandler>)))
        {
            return services;
        }

        services.AddSingleton<CrmEventHandlerRegistration<THandler>>();
        services.TryAddSingleton<THandler>();
        foreach (var handlerInterface in handled)
        {
            services.AddSingleton(handlerInterface, static sp => sp.GetRequiredService<THandler>());
        }

        return services;
    }

    /// <summary>What both features call: the publisher their events go through.</summary>
    internal static IServiceCollection AddCrmEvents(this IServiceCollection services)
    {
        services.TryAddSingleton<CrmEventPublisher>();
        return services;
    }
}

/// <summary>Marks a handler type as registered, so a second <c>AddCrmEventHandler</c> adds nothing.</summary>
internal sealed class CrmEventHandlerRegistration<THandler>;
