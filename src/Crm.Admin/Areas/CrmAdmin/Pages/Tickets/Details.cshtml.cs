using Crm.Admin.Routing;
using Crm.Channels.Management;
using Crm.Channels.Storage;
using Crm.Channels.Attachments;
using Crm.Channels.Tickets;
using Crm.Channels.WhatsApp;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Crm.Admin.Pages.Tickets;

/// <summary>
/// One ticket and its latest messages, oldest first, a page at a time (<see cref="PageSize"/>): a conversation of
/// thousands of long messages is never rendered whole. The page carries an ETag over what it shows, so the live
/// refresh (every few seconds) costs a 304 until something changed.
/// </summary>
internal sealed class DetailsModel(ITicketStore tickets, TicketStatusChanges statuses, TimeProvider time) : PageModel
{
    public const int PageSize = 100;

    public TicketDetails? Details { get; private set; }

    /// <summary>Set when this page shows messages before another (scrolled back): the newest of them is not live.</summary>
    public long? Before { get; private set; }

    /// <summary>For WhatsApp tickets: how long free text may still be sent (zero or less: closed).</summary>
    public TimeSpan? WhatsAppWindowLeft { get; private set; }

    /// <summary>Where an agent downloads a kept attachment (the agents' API), or null.</summary>
    public string? AttachmentUrl(AttachmentInfo attachment) =>
        attachment.StorageKey is null ? null : CrmApiLinks.Attachment(HttpContext, Details!.Ticket.Id, attachment.StorageKey);

    /// <summary>Shown as a thumbnail: raster images only (an SVG can carry script, so it is a download).</summary>
    public bool IsPicture(AttachmentInfo attachment) =>
        attachment.ContentType.StartsWith("image/", StringComparison.OrdinalIgnoreCase) && !attachment.ContentType.Equals("image/svg+xml", StringComparison.OrdinalIgnoreCase);

    /// <summary>The email's HTML with <c>cid:</c> references pointing at the kept inline images.</summary>
    public string? HtmlWithAttachments(TicketMessage message) => InlineImages.Resolve(message.Html, message.Attachments, AttachmentUrl);

    public async Task<IActionResult> OnGetAsync(long id, long? before, CancellationToken cancellationToken)
    {
        Before = before;
        Details = await tickets.GetTicketDetailsAsync(id, new MessageWindow(PageSize) { BeforeMessageId = before }, cancellationToken);
        if (Details is null)
        {
            return NotFound();
        }

        if (Details.Ticket.Channel == "whatsapp")
        {
            WhatsAppWindowLeft = WhatsAppWindow.Left(Details, time.GetUtcNow());
        }

        var etag = ETagOf(Details, WhatsAppWindowLeft > TimeSpan.Zero);
        Response.Headers.ETag = etag;
        Response.Headers.CacheControl = "private, no-cache";
        return Request.Headers.IfNoneMatch.Contains(etag) ? StatusCode(StatusCodes.Status304NotModified) : Page();
    }

    /// <summary>A version of what the page shows: the ticket's state and each message's id, delivery and kept files.</summary>
    private static string ETagOf(TicketDetails details, bool windowOpen)
    {
        var version = new System.Text.StringBuilder()
            .Append(details.Ticket.Status).Append('|').Append(details.Ticket.UpdatedAt.UtcTicks).Append('|').Append(windowOpen).Append('|').Append(details.HasOlderMessages);
        foreach (var message in details.Messages)
        {
            version.Append('|').Append(message.Id).Append(':').Append(message.DeliveryStatus).Append(':').Append(message.DeliveryError)
                .Append(':').Append(string.Join(',', message.Attachments.Select(a => a.StorageKey ?? a.NotKept)));
        }

        return "\"" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(version.ToString())).AsSpan(0, 16)) + "\"";
    }

    public async Task<IActionResult> OnPostAsync(long id, string? status, CancellationToken cancellationToken)
    {
        if (!TicketStatusNames.TryParse(status, out var parsed))
        {
            return BadRequest();
        }

        return await statuses.SetAsync(id, parsed, cancellationToken) is null
            ? NotFound()
            : RedirectToPage(new { id });
    }
}
