namespace Crm.Channels.Replies;

/// <summary>
/// Tells whoever waits (the reply outbox, visitors' event streams) that a ticket message was written. Writes on this
/// instance notify at once; <see cref="Chat.ConversationChangeWatcher"/> notices other instances' writes through the store.
/// </summary>
internal sealed class ConversationChanges
{
    private TaskCompletionSource _next = NewSource();
    private int _watchers;

    /// <summary>How many streams wait for changes now (the watcher polls the store only while some do).</summary>
    public int Watchers => Volatile.Read(ref _watchers);

    /// <summary>Wakes every current waiter.</summary>
    public void Notify() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    /// <summary>Completes at the next change after this call (take it before looking, then wait on it).</summary>
    public Task NextChange => Volatile.Read(ref _next).Task;

    /// <summary>Waits for the next change, or the timeout; never throws on the timeout.</summary>
    /// <returns>True when something changed, false when the timeout passed first.</returns>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Volatile.Read(ref _next).Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            // Nothing changed in time: the caller checks anyway (and sends a heartbeat).
            return false;
        }
    }

    /// <summary>Counts a stream as waiting until the returned handle is disposed.</summary>
    public IDisposable Watch()
    {
        Interlocked.Increment(ref _watchers);
        return new Watcher(this);
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Watcher(ConversationChanges changes) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref changes._watchers);
            }
        }
    }
}
