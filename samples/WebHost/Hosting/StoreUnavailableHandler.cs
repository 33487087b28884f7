using Crm.Storage.EfCore;
using Microsoft.AspNetCore.Diagnostics;

namespace Crm.WebHost.Hosting;

/// <summary>Answers 503 with <c>Retry-After</c> when the store is locked, unreachable or damaged, instead of a bare 500.</summary>
internal sealed partial class StoreUnavailableHandler(IProblemDetailsService problems, CrmStoreErrors errors, ILogger<StoreUnavailableHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!errors.IsUnavailable(exception))
        {
            return false;
        }

        LogUnavailable(logger, exception, httpContext.Request.Path);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = 503, Title = "Store unavailable", Detail = "The database is busy or unavailable; nothing was changed. Try again shortly." },
        });
    }

    [LoggerMessage(EventId = 9101, Level = LogLevel.Warning, Message = "The store is unavailable; answered 503 to {Path}")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string path);
}
