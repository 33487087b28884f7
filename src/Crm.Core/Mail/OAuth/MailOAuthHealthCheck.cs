using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Crm.Mail.OAuth;

/// <summary>
/// One OAuth mail connection's check: Degraded, naming the mailbox and the reason, while it needs reconnecting (mail
/// waits on the server and replies wait in the outbox; nothing is lost, but someone must act). Healthy otherwise.
/// </summary>
internal sealed class MailOAuthHealthCheck(MailOAuthTokens tokens, string connection) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = tokens.CurrentStates().FirstOrDefault(s => s.Name == connection);
        if (state is null)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"{connection} does not sign in with OAuth."));
        }

        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["status"] = state.Status.ToString() };
        if (state.LastSuccessAt is { } last)
        {
            data["lastSuccessAt"] = last;
        }

        return Task.FromResult(state.Status == MailOAuthStatus.NeedsReconnect
            ? new HealthCheckResult(context.Registration.FailureStatus, $"{connection} ({state.Account}) needs reconnect: {state.Reason}", data: data)
            : HealthCheckResult.Healthy($"{connection} ({state.Account}): {state.Status}.", data));
    }
}
