using Microsoft.Extensions.Options;

namespace Crm.Channels.Chat;

/// <summary>
/// Bytes anonymous visitors may upload per window, per client address (IPv6 by /64) and per conversation, on this host
/// instance: without it one address wrote hundreds of MiB a minute. Fixed windows of <see cref="ChatOptions.UploadQuotaWindow"/>.
/// </summary>
internal sealed class ChatUploadQuotas(IOptions<ChatOptions> options, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Usage> _usage = new(StringComparer.Ordinal);

    /// <summary>The bytes <paramref name="client"/> may still upload into <paramref name="conversation"/> (null: a new one), and which quota bounds them.</summary>
    public (long Bytes, bool ClientBound) Remaining(string client, string? conversation)
    {
        var settings = options.Value;
        lock (_gate)
        {
            var forClient = settings.UploadQuotaPerClient - Used("client:" + client);
            var forConversation = conversation is null ? long.MaxValue : settings.UploadQuotaPerConversation - Used("conversation:" + conversation);
            return forClient <= forConversation ? (Math.Max(0, forClient), true) : (Math.Max(0, forConversation), false);
        }
    }

    /// <summary>Counts stored bytes against both quotas.</summary>
    public void Add(string client, string? conversation, long bytes)
    {
        lock (_gate)
        {
            Count("client:" + client, bytes);
            if (conversation is not null)
            {
                Count("conversation:" + conversation, bytes);
            }

            // Expired windows go, so the table stays as small as the set of recent uploaders.
            if (_usage.Count > 10_000)
            {
                var now = time.GetUtcNow();
                foreach (var stale in _usage.Where(u => u.Value.Ends <= now).Select(u => u.Key).ToList())
                {
                    _usage.Remove(stale);
                }
            }
        }
    }

    private long Used(string key) => _usage.TryGetValue(key, out var usage) && usage.Ends > time.GetUtcNow() ? usage.Bytes : 0;

    private void Count(string key, long bytes)
    {
        var now = time.GetUtcNow();
        _usage[key] = _usage.TryGetValue(key, out var usage) && usage.Ends > now
            ? usage with { Bytes = usage.Bytes + bytes }
            : new Usage(now + options.Value.UploadQuotaWindow, bytes);
    }

    private sealed record Usage(DateTimeOffset Ends, long Bytes);
}
