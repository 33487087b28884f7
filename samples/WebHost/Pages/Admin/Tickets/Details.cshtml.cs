using Crm.Channels.Storage;
using Crm.Channels.Tickets;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Crm.WebHost.Pages.Admin.Tickets;

/// <summary>One ticket and its messages, oldest first.</summary>
public sealed class DetailsModel(ITicketStore tickets, TimeProvider time) : PageModel
{
    public TicketDetails? Details { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        Details = await tickets.GetTicketDetailsAsync(id, cancellationToken);
        return Details is null ? NotFound() : Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, string? status, CancellationToken cancellationToken)
    {
        if (!TicketStatusNames.TryParse(status, out var parsed))
        {
            return BadRequest();
        }

        return await tickets.SetTicketStatusAsync(id, parsed, time.GetUtcNow(), cancellationToken) is null
            ? NotFound()
            : RedirectToPage(new { id });
    }
}
