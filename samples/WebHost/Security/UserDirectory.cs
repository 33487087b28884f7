using Crm.Security;
using System.Security.Cryptography;
using System.Text;

namespace Crm.WebHost.Security;

/// <summary>
/// The people who sign in to the admin UI, from <c>Crm:Users:{name}:Password</c> or <c>:PasswordHash</c>, <c>:Role</c>
/// and <c>:Email</c>, read and checked once at start: an unknown role or a user without a password stops the host with
/// a message naming the user. The demo users (agent/agent, manager/manager, marketing/marketing) exist only in the
/// Development environment, or with <c>Crm:DemoUsers=true</c>, and only while no users are configured.
/// </summary>
public sealed partial class UserDirectory
{
    public const string DemoUsersKey = "Crm:DemoUsers";

    public static readonly IReadOnlyList<AdminUser> DemoUsers =
    [
        new("agent", CrmRoles.Agent, "agent@crm.example", PlainPassword: "agent"),
        new("manager", CrmRoles.Manager, "manager@crm.example", PlainPassword: "manager"),
        new("marketing", CrmRoles.Marketing, "marketing@crm.example", PlainPassword: "marketing"),
    ];

    // Compared against when the user name is unknown, so a wrong name costs as long as a wrong password.
    private static readonly string DummyHash = PasswordHash.Create(Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));

    public UserDirectory(IConfiguration configuration, IHostEnvironment environment, ILogger<UserDirectory> logger)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        Users = Read(configuration);
        if (Users.Count == 0)
        {
            var demoSetting = configuration[DemoUsersKey];
            DemoUsersEnabled = demoSetting is null ? environment.IsDevelopment() : bool.TryParse(demoSetting, out var on) && on;
            if (DemoUsersEnabled)
            {
                Users = DemoUsers;
                if (!environment.IsDevelopment())
                {
                    LogDemoUsersOutsideDevelopment(logger, environment.EnvironmentName);
                }
            }
            else
            {
                LogNoUsers(logger);
            }
        }
    }

    public IReadOnlyList<AdminUser> Users { get; }

    /// <summary>True when the demo users are the ones who can sign in (the login page then lists them).</summary>
    public bool DemoUsersEnabled { get; }

    /// <summary>The user whose name and password match, or null. Takes as long for an unknown name as for a wrong password.</summary>
    public AdminUser? Verify(string? name, string? password)
    {
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(password))
        {
            return null;
        }

        var user = Users.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.OrdinalIgnoreCase));
        if (user is null)
        {
            PasswordHash.Verify(password, DummyHash);
            return null;
        }

        return user.Matches(password) ? user : null;
    }

    private static List<AdminUser> Read(IConfiguration configuration)
    {
        var users = new List<AdminUser>();
        foreach (var entry in configuration.GetSection("Crm:Users").GetChildren())
        {
            var role = CrmRoles.Canonical(entry["Role"])
                ?? throw new InvalidOperationException($"Crm:Users:{entry.Key}:Role is '{entry["Role"]}'; it must be one of {string.Join(", ", CrmRoles.All)}.");
            var hash = entry["PasswordHash"];
            var plain = entry["Password"];
            if (!string.IsNullOrEmpty(hash) && !PasswordHash.IsWellFormed(hash))
            {
                throw new InvalidOperationException($"Crm:Users:{entry.Key}:PasswordHash is not a hash made by 'dotnet run --project samples/WebHost -- hash-password'.");
            }

            if (string.IsNullOrEmpty(hash) && string.IsNullOrEmpty(plain))
            {
                throw new InvalidOperationException($"Crm:Users:{entry.Key} has no Password or PasswordHash.");
            }

            users.Add(new AdminUser(entry.Key, role, entry["Email"] ?? $"{entry.Key}@crm.example", string.IsNullOrEmpty(hash) ? plain : null, string.IsNullOrEmpty(hash) ? null : hash));
        }

        return users;
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "The demo users agent/agent, manager/manager and marketing/marketing can sign in although the environment is {Environment} (Crm:DemoUsers=true). Configure Crm:Users before going live.")]
    private static partial void LogDemoUsersOutsideDevelopment(ILogger logger, string environment);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "No Crm:Users are configured: nobody can sign in to the admin UI (API keys still work).")]
    private static partial void LogNoUsers(ILogger logger);
}

/// <summary>A person who may sign in: a plain password (configuration or demo) or a <see cref="PasswordHash"/>.</summary>
public sealed record AdminUser(string Name, string Role, string Email, string? PlainPassword = null, string? HashedPassword = null)
{
    public bool Matches(string password)
    {
        if (HashedPassword is not null)
        {
            return PasswordHash.Verify(password, HashedPassword);
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(PlainPassword ?? ""));
        return CryptographicOperations.FixedTimeEquals(presented, expected);
    }
}
