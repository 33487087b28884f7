using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Crm.WebHost.Hosting;

internal static class RateLimitingSetup
{
    public const string IntakePolicy = "crm-intake";
    public const string ConversationPolicy = "crm-conversation";
    public const string SubscribePolicy = "crm-subscribe";

    /// <summary>
    /// Limits the public chat intake per client IP (fixed window). Other channels authenticate their
    /// callers (Twilio's signature, the relay's secret) and come from few addresses, so they are not limited here.
    /// </summary>
    public static IServiceCollection AddCrmRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var permitLimit = configuration.GetValue(HostSettings.ChatPermitLimit, 30);
        var window = TimeSpan.FromSeconds(configuration.GetValue(HostSettings.ChatWindowSeconds, 60));
        var conversationLimit = configuration.GetValue(HostSettings.ConversationPermitLimit, 120);
        var subscribeLimit = configuration.GetValue(HostSettings.SubscribePermitLimit, 10);
        return services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = async (context, cancellationToken) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await Results.Problem(statusCode: 429, title: "Too many requests", detail: "Slow down and try again in a minute.")
                    .ExecuteAsync(context.HttpContext);
            };
            // The visitor's transcript and event stream: a reconnecting widget is a few requests a minute, a scraper many.
            options.AddPolicy(ConversationPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = conversationLimit, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            // Each subscription mails a confirmation: ten a minute per client address keeps the form from mail-bombing anyone.
            options.AddPolicy(SubscribePolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = subscribeLimit, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            options.AddPolicy(IntakePolicy, context =>
            {
                if (!string.Equals(context.Request.Query["channel"], "chat", StringComparison.Ordinal))
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }

                var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = permitLimit,
                    Window = window,
                    QueueLimit = 0,
                });
            });
        });
    }
}
