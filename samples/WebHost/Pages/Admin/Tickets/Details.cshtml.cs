using Crm.Channels.Storage;
using Crm.Channels.Attachments;
using Crm.Channels.Tickets;
using Crm.Channels.WhatsApp;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Crm.WebHost.Pages.Admin.Tickets;

/// <summary>One ticket and its messages, oldest first.</summary>
public sealed class DetailsModel(ITicketStore tickets, TimeProvider time) : PageModel
{
    public TicketDetails? Details { get; private set; }

    /// <summary>For WhatsApp tickets: how long free text may still be sent (zero or less: closed).</summary>
    public TimeSpan? WhatsAppWindowLeft { get; private set; }

    /// <summary>Where an agent downloads a kept attachment (the agents' API), or null.</summary>
    public string? AttachmentUrl(AttachmentInfo attachment) =>
        attachment.StorageKey is null ? null : $"/tickets/{Details!.Ticket.Id}/attachments/{attachment.StorageKey}";

    /// <summary>Shown as a thumbnail: raster images only (an SVG can carry script, so it is a download).</summary>
    public bool IsPicture(AttachmentInfo attachment) =>
        attachment.ContentType.StartsWith("image/", StringComparison.OrdinalIgnoreCase) && !attachment.ContentType.Equals("image/svg+xml", StringComparison.OrdinalIgnoreCase);

    /// <summary>The email's HTML with <c>cid:</c> references pointing at the kept inline images.</summary>
    public string? HtmlWithAttachments(TicketMessage message) => InlineImages.Resolve(message.Html, message.Attachments, AttachmentUrl);

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        Details = await tickets.GetTicketDetailsAsync(id, cancellationToken);
        if (Details is null)
        {
            return NotFound();
        }

        if (Details.Ticket.Channel == "whatsapp")
        {
            WhatsAppWindowLeft = WhatsAppWindow.Left(Details, time.GetUtcNow());
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
