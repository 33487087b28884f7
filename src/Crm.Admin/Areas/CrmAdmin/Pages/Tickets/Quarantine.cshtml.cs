using Crm.Admin.Routing;
using Crm.Channels.Email;
using Crm.Channels.Ingestion;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Crm.Admin.Pages.Tickets;

/// <summary>Mail that could not become a ticket: agents look at it, make a ticket of it or delete it.</summary>
internal sealed class QuarantineModel(IServiceProvider services) : PageModel
{
    private EmailQuarantine? Quarantine => services.GetService<EmailQuarantine>();

    public IReadOnlyList<QuarantinedEmail> Items { get; private set; } = [];

    /// <summary>Why the last "make a ticket" did not work, keyed by quarantine id.</summary>
    public long? FailedId { get; private set; }

    public string? Failure { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (Quarantine is not { } quarantine)
        {
            return NotFound();
        }

        Items = await quarantine.ListAsync(200, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostTicketAsync(long id, string? email, CancellationToken cancellationToken)
    {
        if (Quarantine is not { } quarantine)
        {
            return NotFound();
        }

        try
        {
            var result = await quarantine.MakeTicketAsync(id, email, cancellationToken);
            return result is null ? RedirectToPage() : RedirectToPage("/Tickets/Details", new { area = CrmAdminSite.Area, id = result.Ticket.Id });
        }
        catch (InvalidInboundMessageException ex)
        {
            FailedId = id;
            Failure = string.Join(" ", ex.Errors.SelectMany(e => e.Value));
            Items = await quarantine.ListAsync(200, cancellationToken);
            return Page();
        }
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken cancellationToken)
    {
        if (Quarantine is not { } quarantine)
        {
            return NotFound();
        }

        await quarantine.DeleteAsync(id, cancellationToken);
        return RedirectToPage();
    }
}
