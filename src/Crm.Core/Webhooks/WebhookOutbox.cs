using Crm.Events;

namespace Crm.Webhooks;

/// <summary>
/// Puts every CRM event into the outbox for the endpoints that receive its type, after the change it reports was
/// stored, and wakes this host's dispatcher.
/// </summary>
internal sealed class WebhookOutbox(IWebhookStore store, WebhookSignal signal, TimeProvider time) : ICrmEventHandler<CrmEvent>
{
    public async ValueTask HandleAsync(CrmEvent crmEvent, CancellationToken cancellationToken)
    {
        if (await store.EnqueueAsync(crmEvent.Id, crmEvent.Type, CrmEventJson.Serialize(crmEvent), time.GetUtcNow(), cancellationToken).ConfigureAwait(false) > 0)
        {
            signal.Wake();
        }
    }
}

/// <summary>Wakes the webhook dispatcher when this host queued something.</summary>
internal sealed class WebhookSignal
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);
}
