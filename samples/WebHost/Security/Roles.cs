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

    public static bool IsKnown(string? role) => role is Agent or Manager or Marketing;
}
