using Crm.Channels.Storage;
using Crm.Channels.Tickets;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Crm.WebHost.Pages.Admin.Tickets;

/// <summary>One ticket and its messages, oldest first.</summary>
public sealed class DetailsModel(ITicketStore tickets, TimeProvider time) : PageModel
{
    /// <summary>WhatsApp's free-text window: 24 hours from the customer's last message.</summary>
    private static readonly TimeSpan WhatsAppWindow = TimeSpan.FromHours(24);

    public TicketDetails? Details { get; private set; }

    /// <summary>For WhatsApp tickets: how long free text may still be sent (zero or less: closed).</summary>
    public TimeSpan? WhatsAppWindowLeft { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        Details = await tickets.GetTicketDetailsAsync(id, cancellationToken);
        if (Details is null)
        {
            return NotFound();
        }

        if (Details.Ticket.Channel == "whatsapp")
        {
            var lastInbound = Details.Messages.LastOrDefault(m => m.Direction == MessageDirection.Inbound)?.ReceivedAt;
            WhatsAppWindowLeft = lastInbound is null ? TimeSpan.Zero : lastInbound.Value + WhatsAppWindow - time.GetUtcNow();
        }

        return Page();
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
