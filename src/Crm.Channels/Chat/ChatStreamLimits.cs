using Microsoft.Extensions.Options;

namespace Crm.Channels.Chat;

/// <summary>
/// Bounds the event streams open at once on this instance: per conversation (a new stream replaces the oldest, as a
/// visitor reopening tabs expects) and per client address (past the limit a new stream is refused). Without it one
/// address held hundreds of streams, each alive for <see cref="ChatOptions.MaxStreamDuration"/>.
/// </summary>
internal sealed class ChatStreamLimits(IOptions<ChatOptions> options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, LinkedList<Lease>> _byConversation = [];
    private readonly Dictionary<string, int> _byClient = new(StringComparer.Ordinal);

    /// <summary>Opens a stream, or answers null when <paramref name="client"/> holds its limit of streams already.</summary>
    public Lease? TryOpen(long ticketId, string client)
    {
        var settings = options.Value;
        Lease? replaced = null;
        Lease lease;
        lock (_gate)
        {
            if (_byClient.GetValueOrDefault(client) >= settings.MaxStreamsPerClient)
            {
                return null;
            }

            if (!_byConversation.TryGetValue(ticketId, out var open))
            {
                _byConversation[ticketId] = open = new LinkedList<Lease>();
            }

            if (open.Count >= settings.MaxStreamsPerConversation)
            {
                replaced = open.First!.Value;
                replaced.Detach();
            }

            lease = new Lease(this, ticketId, client);
            lease.Node = open.AddLast(lease);
            _byClient[client] = _byClient.GetValueOrDefault(client) + 1;
        }

        replaced?.Replace();
        return lease;
    }

    private void Release(Lease lease)
    {
        lock (_gate)
        {
            if (lease.Node?.List is { } open)
            {
                open.Remove(lease.Node);
                if (open.Count == 0)
                {
                    _byConversation.Remove(lease.TicketId);
                }
            }

            lease.Node = null;
            var left = _byClient.GetValueOrDefault(lease.Client) - 1;
            if (left <= 0)
            {
                _byClient.Remove(lease.Client);
            }
            else
            {
                _byClient[lease.Client] = left;
            }
        }
    }

    /// <summary>One open stream: <see cref="Replaced"/> fires when a newer stream of its conversation took its place.</summary>
    public sealed class Lease(ChatStreamLimits limits, long ticketId, string client) : IDisposable
    {
        // Not disposed: a newer stream may cancel it while this one ends, and it holds no timer.
        private readonly CancellationTokenSource _replaced = new();
        private int _released;

        public long TicketId { get; } = ticketId;

        public string Client { get; } = client;

        internal LinkedListNode<Lease>? Node { get; set; }

        public CancellationToken Replaced => _replaced.Token;

        /// <summary>Leaves its conversation's list (under the registry's lock); the client still counts it until disposed.</summary>
        internal void Detach()
        {
            Node?.List?.Remove(Node);
            Node = null;
        }

        internal void Replace() => _replaced.Cancel();

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                limits.Release(this);
            }
        }
    }
}
