using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Crm.Storage;

/// <summary>
/// The CRM's store-outage answer (503, <c>Retry-After</c>, problem details) for the host's own pages and endpoints that
/// reach the CRM's stores: <c>builder.Services.AddExceptionHandler&lt;CrmStoreUnavailableExceptionHandler&gt;()</c> and
/// <c>app.UseExceptionHandler()</c>. The CRM's own endpoints answer so without it.
/// </summary>
public sealed class CrmStoreUnavailableExceptionHandler : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(exception);
        if (!StoreOutageAnswer.Applies(httpContext, exception))
        {
            return false;
        }

        await StoreOutageAnswer.Create(httpContext, exception).ExecuteAsync(httpContext).ConfigureAwait(false);
        return true;
    }
}
