using Microsoft.Extensions.Options;

namespace Crm.Channels.WhatsApp;

/// <summary>The configured Twilio accounts, by options name; finds the one a webhook names.</summary>
public sealed class WhatsAppAccounts
{
    private readonly IOptionsMonitor<WhatsAppOptions> _options;
    private readonly string[] _names;

    /// <summary>Creates the registry.</summary>
    public WhatsAppAccounts(IOptionsMonitor<WhatsAppOptions> options, IEnumerable<WhatsAppAccountRegistration> registrations)
    {
        _options = options;
        _names = registrations.Select(r => r.Name).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The options names of the configured accounts.</summary>
    public IReadOnlyList<string> Names => _names;

    internal int MaxRequestBytes => _names.Length == 0 ? 64 * 1024 : _names.Max(n => _options.Get(n).MaxRequestBytes);

    /// <summary>The account with this options name.</summary>
    /// <exception cref="InvalidOperationException">No account has that name.</exception>
    public WhatsAppOptions Get(string name)
    {
        if (!_names.Contains(name, StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"No WhatsApp account named '{name}' is configured; configured: {string.Join(", ", _names)}.");
        }

        return _options.Get(name);
    }

    /// <summary>The account whose SID matches, or null.</summary>
    public WhatsAppAccount? Find(string? accountSid)
    {
        if (string.IsNullOrEmpty(accountSid))
        {
            return null;
        }

        foreach (var name in _names)
        {
            var options = _options.Get(name);
            if (string.Equals(options.AccountSid, accountSid, StringComparison.Ordinal))
            {
                return new WhatsAppAccount(name, options);
            }
        }

        return null;
    }
}
