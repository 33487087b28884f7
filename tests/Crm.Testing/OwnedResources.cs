namespace Crm.Testing;

/// <summary>
/// What a fixture started, disposed in reverse order: every resource is disposed even when an earlier one throws, and
/// when a later start fails the earlier ones are still owned here, so a failing setup leaks no server.
/// </summary>
public sealed class OwnedResources : IAsyncDisposable
{
    private readonly Stack<IAsyncDisposable> _owned = new();

    /// <summary>Awaits a start and takes ownership of what it started.</summary>
    public async Task<T> AddAsync<T>(Task<T> starting)
        where T : IAsyncDisposable
    {
        ArgumentNullException.ThrowIfNull(starting);
        var started = await starting;
        lock (_owned)
        {
            _owned.Push(started);
        }

        return started;
    }

    public async ValueTask DisposeAsync()
    {
        var failures = new List<Exception>();
        while (true)
        {
            IAsyncDisposable next;
            lock (_owned)
            {
                if (!_owned.TryPop(out next!))
                {
                    break;
                }
            }

            try
            {
                await next.DisposeAsync();
            }
            catch (Exception ex)
            {
                failures.Add(ex);
            }
        }

        if (failures.Count > 0)
        {
            throw new AggregateException(failures);
        }
    }
}
