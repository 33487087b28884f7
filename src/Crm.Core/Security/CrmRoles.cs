namespace Crm.Security;

/// <summary>
/// The roles the CRM's endpoints are built for. API keys (<see cref="CrmApiKeyOptions"/>) carry one of them; a host
/// with its own sign-in gives its users the same role claims and gets the same policies.
/// </summary>
public static class CrmRoles
{
    /// <summary>Answers customers: reads and replies to tickets, reads contacts.</summary>
    public const string Agent = "Agent";

    /// <summary>Everything an agent and a marketer may do, and the settings only a manager may change.</summary>
    public const string Manager = "Manager";

    /// <summary>Writes and sends campaigns, imports contacts.</summary>
    public const string Marketing = "Marketing";

    /// <summary>Every role, in the order messages list them.</summary>
    public static IReadOnlyList<string> All { get; } = [Agent, Manager, Marketing];

    /// <summary>The role as the CRM spells it (<c>manager</c> → <c>Manager</c>), or null when it is not a role.</summary>
    public static string? Canonical(string? role) => All.FirstOrDefault(r => string.Equals(r, role?.Trim(), StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// The authorization policies built from <see cref="CrmRoles"/> by <c>AddCrmApiKeys(...)</c> or <c>AddCrmAuthorizationPolicies()</c>:
/// pass them to <c>RequireAuthorization(...)</c> on the mapped endpoint groups.
/// </summary>
public static class CrmPolicies
{
    /// <summary>Agents, managers and marketers: the conversation endpoints and reading contacts.</summary>
    public const string Agents = "Agents";

    /// <summary>Managers and marketers: campaigns and writing contacts.</summary>
    public const string Marketing = "Marketing";

    /// <summary>Managers only.</summary>
    public const string Managers = "Managers";
}
