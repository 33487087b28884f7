using System.Security.Cryptography;
using System.Text;

namespace Crm.WebHost.Security;

/// <summary>
/// The people who sign in to the admin UI, from <c>Crm:Users:{name}:Password</c>, <c>:Role</c> and <c>:Email</c>.
/// With no users configured the host runs with the demo users the README lists, so a first run works.
/// </summary>
public sealed class UserDirectory(IConfiguration configuration)
{
    public static readonly IReadOnlyList<AdminUser> DemoUsers =
    [
        new("agent", "agent", Roles.Agent, "agent@crm.example"),
        new("manager", "manager", Roles.Manager, "manager@crm.example"),
        new("marketing", "marketing", Roles.Marketing, "marketing@crm.example"),
    ];

    public IReadOnlyList<AdminUser> Users
    {
        get
        {
            var configured = configuration.GetSection("Crm:Users").GetChildren()
                .Where(u => !string.IsNullOrEmpty(u["Password"]) && Roles.IsKnown(u["Role"]))
                .Select(u => new AdminUser(u.Key, u["Password"]!, u["Role"]!, u["Email"] ?? $"{u.Key}@crm.example"))
                .ToList();
            return configured.Count > 0 ? configured : DemoUsers;
        }
    }

    /// <summary>The user whose name and password match (compared in constant time), or null.</summary>
    public AdminUser? Verify(string? name, string? password)
    {
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(password))
        {
            return null;
        }

        AdminUser? match = null;
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        foreach (var user in Users)
        {
            var expected = SHA256.HashData(Encoding.UTF8.GetBytes(user.Password));
            if (CryptographicOperations.FixedTimeEquals(presented, expected) && string.Equals(user.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                match = user;
            }
        }

        return match;
    }
}

public sealed record AdminUser(string Name, string Password, string Role, string Email);
