using Microsoft.AspNetCore.Authentication;

namespace Crm.Security;

/// <summary>One API key: the secret a caller sends, the role it acts in, and optionally the agent it acts as.</summary>
/// <param name="Key">The value of the <c>X-Api-Key</c> header.</param>
/// <param name="Role">One of <see cref="CrmRoles"/>.</param>
/// <param name="Agent">The agent's name replies are signed with; <c>api-key:{Role}</c> when null.</param>
public sealed record CrmApiKey(string Key, string Role, string? Agent = null);

/// <summary>
/// The keys the <see cref="CrmApiKeyDefaults.SchemeName"/> scheme accepts. From configuration, each entry of the
/// section is either <c>{key} = Role</c> or <c>{key}:Role</c> with <c>{key}:Agent</c>.
/// </summary>
public sealed class CrmApiKeyOptions : AuthenticationSchemeOptions
{
    /// <summary>The accepted keys. A key naming an unknown role stops the host at start.</summary>
    public IList<CrmApiKey> Keys { get; } = [];

    /// <summary>The request header the key is read from.</summary>
    public string HeaderName { get; set; } = CrmApiKeyDefaults.HeaderName;

    /// <inheritdoc />
    public override void Validate(string scheme)
    {
        base.Validate(scheme);
        if (string.IsNullOrWhiteSpace(HeaderName))
        {
            throw new InvalidOperationException($"The {scheme} scheme needs a HeaderName.");
        }

        foreach (var key in Keys)
        {
            if (string.IsNullOrEmpty(key.Key))
            {
                throw new InvalidOperationException($"An API key of the {scheme} scheme is empty.");
            }

            // A short key is a guessable one ("test", "changeme"): the scheme refuses to start rather than accept it.
            if (key.Key.Length < MinimumKeyLength)
            {
                throw new InvalidOperationException($"An API key in {Source ?? "the API keys"} has {key.Key.Length} characters; use at least {MinimumKeyLength} random ones (e.g. openssl rand -base64 24).");
            }

            if (CrmRoles.Canonical(key.Role) is null)
            {
                throw new InvalidOperationException($"An API key in {Source ?? "the API keys"} has the role '{key.Role}'; it must be one of {string.Join(", ", CrmRoles.All)}.");
            }
        }
    }

    /// <summary>The shortest key the scheme accepts.</summary>
    public const int MinimumKeyLength = 16;

    /// <summary>Where the keys came from, named in start-time messages.</summary>
    internal string? Source { get; set; }
}

/// <summary>Names of the API-key scheme.</summary>
public static class CrmApiKeyDefaults
{
    /// <summary>The authentication scheme's name.</summary>
    public const string SchemeName = "CrmApiKey";

    /// <summary>The header a caller sends its key in.</summary>
    public const string HeaderName = "X-Api-Key";
}
