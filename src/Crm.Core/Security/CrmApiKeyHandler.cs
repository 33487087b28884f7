using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Security;

/// <summary>
/// Authenticates <c>X-Api-Key: {key}</c> against <see cref="CrmApiKeyOptions.Keys"/>. Keys are compared in constant
/// time, every key every time, so the answer's timing says nothing about how close a guess was or which key matched.
/// Challenges and refusals are problem details, never a redirect.
/// </summary>
internal sealed class CrmApiKeyHandler(IOptionsMonitor<CrmApiKeyOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<CrmApiKeyOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Options.HeaderName, out var values) || values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presented = Encoding.UTF8.GetBytes(values[0]!);
        CrmApiKey? matched = null;
        foreach (var key in Options.Keys)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(key.Key)))
            {
                matched = key;
            }
        }

        if (matched is null || CrmRoles.Canonical(matched.Role) is not { } role)
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        }

        var name = string.IsNullOrWhiteSpace(matched.Agent) ? "api-key:" + role : matched.Agent.Trim();
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
        => WriteProblemAsync(StatusCodes.Status401Unauthorized, "Authentication required", $"Send a valid {Options.HeaderName} header.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
        => WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", "Your role may not use this endpoint.");

    private Task WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        return Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(Context);
    }
}
