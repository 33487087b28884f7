namespace Crm.Channels.Replies;

/// <summary>
/// Tells whoever waits that a ticket message was written: the reply outbox hears of every write; a visitor's event
/// stream hears only of its own conversation's, so a message in one conversation does not make every open stream
/// read the store. Writes on this instance notify at once; <see cref="Chat.ConversationChangeWatcher"/> notices other
/// instances' writes through the store, once per instance.
/// </summary>
internal sealed class ConversationChanges
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, Conversation> _conversations = [];
    private TaskCompletionSource _any = NewSource();
    private int _watchers;

    /// <summary>How many streams wait for changes now (the watcher polls the store only while some do).</summary>
    public int Watchers => Volatile.Read(ref _watchers);

    /// <summary>Wakes the outbox and the streams of <paramref name="ticketId"/>.</summary>
    public void Notify(long ticketId)
    {
        TaskCompletionSource? conversation = null;
        lock (_gate)
        {
            if (_conversations.TryGetValue(ticketId, out var watched))
            {
                conversation = watched.Next;
                watched.Next = NewSource();
            }
        }

        conversation?.TrySetResult();
        Interlocked.Exchange(ref _any, NewSource()).TrySetResult();
    }

    /// <summary>Wakes every waiter: used when it is not known which conversations changed.</summary>
    public void NotifyAll()
    {
        List<TaskCompletionSource> woken;
        lock (_gate)
        {
            woken = new List<TaskCompletionSource>(_conversations.Count);
            foreach (var watched in _conversations.Values)
            {
                woken.Add(watched.Next);
                watched.Next = NewSource();
            }
        }

        woken.ForEach(w => w.TrySetResult());
        Interlocked.Exchange(ref _any, NewSource()).TrySetResult();
    }

    /// <summary>The tickets that have a stream waiting now.</summary>
    public IReadOnlyCollection<long> WatchedTickets
    {
        get
        {
            lock (_gate)
            {
                return [.. _conversations.Keys];
            }
        }
    }

    /// <summary>Completes at the next write of any ticket after this call (take it before looking, then wait on it).</summary>
    public Task NextChange => Volatile.Read(ref _any).Task;

    /// <summary>
    /// Waits for the next change of <paramref name="ticketId"/> (watched through <see cref="Watch"/>), or the timeout;
    /// never throws on the timeout. Call it before reading the store, then await it.
    /// </summary>
    /// <returns>True when the conversation changed, false when the timeout passed first.</returns>
    public async Task<bool> WaitAsync(long ticketId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task next;
        lock (_gate)
        {
            next = _conversations.TryGetValue(ticketId, out var watched) ? watched.Next.Task : NextChange;
        }

        try
        {
            await next.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            // Nothing changed in time: the caller checks anyway (and sends a heartbeat).
            return false;
        }
    }

    /// <summary>Counts a stream of <paramref name="ticketId"/> as waiting until the returned handle is disposed.</summary>
    public IDisposable Watch(long ticketId)
    {
        lock (_gate)
        {
            if (!_conversations.TryGetValue(ticketId, out var watched))
            {
                _conversations[ticketId] = watched = new Conversation();
            }

            watched.Streams++;
        }

        Interlocked.Increment(ref _watchers);
        return new Watcher(this, ticketId);
    }

    private void Unwatch(long ticketId)
    {
        lock (_gate)
        {
            if (_conversations.TryGetValue(ticketId, out var watched) && --watched.Streams == 0)
            {
                _conversations.Remove(ticketId);
            }
        }

        Interlocked.Decrement(ref _watchers);
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Conversation
    {
        public TaskCompletionSource Next { get; set; } = NewSource();

        public int Streams { get; set; }
    }

    private sealed class Watcher(ConversationChanges changes, long ticketId) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                changes.Unwatch(ticketId);
            }
        }
    }
}
