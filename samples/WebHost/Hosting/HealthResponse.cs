using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Crm.WebHost.Hosting;

/// <summary>
/// The health answer as JSON: the overall status and each check's status by name (<c>crm-imap-support</c>: Degraded).
/// The endpoint is public, so descriptions (hosts, user names, server answers) stay out: they are in the log.
/// </summary>
internal static class HealthResponse
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
        }, cancellationToken: context.RequestAborted);
    }
}
