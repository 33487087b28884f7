using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Crm.WebHost.Security;

/// <summary>
/// Keeps sign-in sessions on the server: the cookie carries only a random session key, so signing out removes the
/// session and a copy of the old cookie is worthless. Sessions live in this process: a restart signs everyone out,
/// and several instances behind a load balancer need sticky sessions (or an <see cref="ITicketStore"/> over a shared cache).
/// </summary>
public sealed class ServerSideSessions(TimeProvider time) : ITicketStore
{
    private static readonly TimeSpan IdleLimit = TimeSpan.FromHours(8);
    private readonly ConcurrentDictionary<string, (AuthenticationTicket Ticket, DateTimeOffset Expires)> _sessions = new(StringComparer.Ordinal);

    public Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        Prune();
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        _sessions[key] = (ticket, ExpiryOf(ticket));
        return Task.FromResult(key);
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        if (_sessions.ContainsKey(key))
        {
            _sessions[key] = (ticket, ExpiryOf(ticket));
        }

        return Task.CompletedTask;
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key)
        => Task.FromResult(_sessions.TryGetValue(key, out var session) && session.Expires > time.GetUtcNow() ? session.Ticket : null);

    public Task RemoveAsync(string key)
    {
        _sessions.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    private DateTimeOffset ExpiryOf(AuthenticationTicket ticket) => ticket.Properties.ExpiresUtc ?? time.GetUtcNow() + IdleLimit;

    private void Prune()
    {
        var now = time.GetUtcNow();
        foreach (var (key, session) in _sessions)
        {
            if (session.Expires <= now)
            {
                _sessions.TryRemove(key, out _);
            }
        }
    }
}

/// <summary>Gives the cookie handler the session store from the container.</summary>
internal sealed class ServerSideSessionsSetup(ServerSideSessions sessions) : Microsoft.Extensions.Options.IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions options) => options.SessionStore = sessions;
}
