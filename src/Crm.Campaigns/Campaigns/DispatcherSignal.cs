namespace Crm.Campaigns.Campaigns;

/// <summary>Wakes an idle dispatcher at once (a campaign was created or resumed) instead of at its next poll.</summary>
public sealed class DispatcherSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Asks the dispatcher to look for work now.</summary>
    public void Wake()
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
