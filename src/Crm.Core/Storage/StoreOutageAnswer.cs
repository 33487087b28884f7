using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crm.Storage;

/// <summary>
/// The one answer to a store outage, for the CRM's endpoints (<see cref="CrmStoreOutageFilter"/>, always on) and a host's
/// own pages (<see cref="CrmStoreUnavailableExceptionHandler"/>): 503, <c>Retry-After</c>, a problem that names no database.
/// </summary>
internal static partial class StoreOutageAnswer
{
    /// <summary>What <c>Retry-After</c> says: long enough for a lock or a failover to pass, short enough for a person.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>True when <paramref name="exception"/> is a store outage and the answer can still be chosen.</summary>
    public static bool Applies(HttpContext context, Exception exception)
        => !context.Response.HasStarted && context.RequestServices.GetService<ICrmStoreErrorClassifier>()?.IsUnavailable(exception) == true;

    public static IResult Create(HttpContext context, Exception exception)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Crm.Storage.StoreOutage");
        LogUnavailable(logger, exception, context.Request.Path);
        context.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return Results.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Store unavailable",
            detail: "The database is busy or unavailable; nothing was changed. Try again shortly.");
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "The store is unavailable; answered 503 to {Path}")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string path);
}

/// <summary>Answers a store outage on the CRM's own endpoints with 503, whatever the host's exception handling.</summary>
internal sealed class CrmStoreOutageFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreOutageAnswer.Applies(context.HttpContext, ex))
        {
            return StoreOutageAnswer.Create(context.HttpContext, ex);
        }
    }
}
