using Crm.Events;
using Crm.Webhooks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Crm.Admin.Pages.Webhooks;

/// <summary>The webhook endpoints: add one (its secret is shown once), enable, disable, rotate the secret, remove.</summary>
internal sealed class IndexModel(IWebhookStore store, WebhookSubscriptions subscriptions) : PageModel
{
    [BindProperty]
    public string? EndpointUrl { get; set; }

    [BindProperty]
    public List<string> Events { get; set; } = ["*"];

    [BindProperty]
    public string? Description { get; set; }

    public IReadOnlyList<WebhookEndpoint> Endpoints { get; private set; } = [];

    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();

    /// <summary>
    /// A secret just created or rotated, shown this once: carried over the redirect after the post (so reloading the
    /// page never posts the form again), in the encrypted temp-data cookie, which is gone once read.
    /// </summary>
    public (long EndpointId, string Secret)? NewSecret { get; private set; }

    [TempData(Key = "CrmAdmin.WebhookSecret")]
    public string? ShownSecret { get; set; }

    public static IReadOnlyList<string> EventTypes => CrmEventTypes.All;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (ShownSecret?.Split(' ', 2) is [var id, var secret] && long.TryParse(id, System.Globalization.CultureInfo.InvariantCulture, out var endpointId))
        {
            NewSecret = (endpointId, secret);
        }

        Endpoints = await store.ListEndpointsAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        var (endpoint, secret, errors) = await subscriptions.CreateAsync(EndpointUrl, Events, Description, cancellationToken);
        if (endpoint is null)
        {
            Errors = errors;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        else
        {
            ShownSecret = $"{endpoint.Id} {secret}";
            return RedirectToPage();
        }

        Endpoints = await store.ListEndpointsAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostEnableAsync(long id, bool enabled, CancellationToken cancellationToken)
    {
        var (endpoint, _) = await subscriptions.UpdateAsync(id, null, null, null, enabled, cancellationToken);
        return endpoint is null ? NotFound() : RedirectToPage();
    }

    public async Task<IActionResult> OnPostRotateAsync(long id, CancellationToken cancellationToken)
    {
        if (await subscriptions.RotateSecretAsync(id, TimeSpan.FromDays(1), cancellationToken) is not { } rotated)
        {
            return NotFound();
        }

        ShownSecret = $"{id} {rotated.Secret}";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken cancellationToken)
        => await store.DeleteEndpointAsync(id, cancellationToken) ? RedirectToPage() : NotFound();
}
