namespace Crm.WebHost.Security;

/// <summary>The roles the host knows, and the authorization policies built from them.</summary>
public static class Roles
{
    public const string Agent = "Agent";
    public const string Manager = "Manager";
    public const string Marketing = "Marketing";

    /// <summary>Reads tickets and contacts.</summary>
    public const string AgentsPolicy = "Agents";

    /// <summary>Runs campaigns and imports contacts.</summary>
    public const string MarketingPolicy = "Marketing";

    public static IReadOnlyList<string> All { get; } = [Agent, Manager, Marketing];

    /// <summary>The role as the host spells it (<c>manager</c> → <c>Manager</c>), or null when it is not a role.</summary>
    public static string? Canonical(string? role) => All.FirstOrDefault(r => string.Equals(r, role?.Trim(), StringComparison.OrdinalIgnoreCase));
}
