using Crm.Webhooks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Crm.Admin.Pages.Webhooks;

/// <summary>One endpoint's delivery log, newest first, with replay of one delivery or of every failed one.</summary>
internal sealed class DeliveriesModel(IWebhookStore store, WebhookSubscriptions subscriptions) : PageModel
{
    public const int PageSize = 50;

    public WebhookEndpoint? Endpoint { get; private set; }

    public IReadOnlyList<WebhookDelivery> Deliveries { get; private set; } = [];

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    public int? Replayed { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        Endpoint = await store.GetEndpointAsync(id, cancellationToken);
        if (Endpoint is null)
        {
            return NotFound();
        }

        Deliveries = await store.ListDeliveriesAsync(id, Math.Clamp(PageNumber, 1, 100_000), PageSize, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostReplayAsync(long id, long? deliveryId, CancellationToken cancellationToken)
    {
        if (await store.GetEndpointAsync(id, cancellationToken) is null)
        {
            return NotFound();
        }

        Replayed = await subscriptions.ReplayAsync(id, deliveryId, since: null, cancellationToken);
        return await OnGetAsync(id, cancellationToken);
    }
}
