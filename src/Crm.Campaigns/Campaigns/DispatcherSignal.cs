namespace Crm.Campaigns.Campaigns;

/// <summary>
/// Wakes an idle dispatcher at once (a campaign was created, resumed or rescheduled) instead of at its next safety
/// poll. With a store that can notify (PostgreSQL), every host's dispatcher is woken.
/// </summary>
internal sealed class DispatcherSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Raised by <see cref="Wake"/>, for a store that tells the other hosts.</summary>
    public event Action? WakeRequested;

    /// <summary>Asks this host's dispatcher, and every other host's, to look for work now.</summary>
    public void Wake()
    {
        WakeHere();
        WakeRequested?.Invoke();
    }

    /// <summary>Asks this host's dispatcher to look for work now (another host said there is some).</summary>
    public void WakeHere()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    /// <summary>Waits for a wake-up or the timeout.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
