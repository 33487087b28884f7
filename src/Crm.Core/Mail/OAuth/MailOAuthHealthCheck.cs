using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Crm.Mail.OAuth;

/// <summary>
/// Degraded, naming each one, while an OAuth mail connection needs reconnecting (mail waits on the server and replies
/// wait in the outbox; nothing is lost, but someone must act). Healthy otherwise.
/// </summary>
internal sealed class MailOAuthHealthCheck(MailOAuthTokens tokens) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var states = tokens.CurrentStates();
        var data = states.ToDictionary(s => s.Name, s => (object)(s.Reason is null ? s.Status.ToString() : $"{s.Status}: {s.Reason}"), StringComparer.Ordinal);
        var broken = states.Where(s => s.Status == MailOAuthStatus.NeedsReconnect).ToList();
        if (broken.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy(states.Count == 0 ? "No mail connection signs in with OAuth." : $"{states.Count} OAuth mail connection(s) sign in.", data));
        }

        var names = string.Join("; ", broken.Select(s => $"{s.Name} ({s.Account}) needs reconnect: {s.Reason}"));
        return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, names, data: data));
    }
}
