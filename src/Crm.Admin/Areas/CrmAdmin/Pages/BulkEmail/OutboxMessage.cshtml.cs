using System.Text.RegularExpressions;
using Crm.Campaigns.Sending;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using MimeKit;

namespace Crm.Admin.Pages.BulkEmail;

/// <summary>One outbox message, rendered as its recipient would see it.</summary>
internal sealed partial class OutboxMessageModel(ICampaignSender sender) : PageModel
{
    public MimeMessage? Message { get; private set; }

    public string Html { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(string name, CancellationToken cancellationToken)
    {
        // Only plain file names the sender wrote: no path can escape the outbox folder.
        if (sender is not PickupDirectoryCampaignSender pickup || !IsMessageFileName(name))
        {
            return NotFound();
        }

        var path = Path.Combine(pickup.Directory, name);
        if (!System.IO.File.Exists(path))
        {
            return NotFound();
        }

        Message = await MimeMessage.LoadAsync(path, cancellationToken);
        // Links open in a new tab, leaving the sandboxed frame for the real page.
        Html = (Message.HtmlBody ?? $"<pre>{System.Net.WebUtility.HtmlEncode(Message.TextBody)}</pre>").Replace("<a ", "<a target=\"_blank\" ", StringComparison.OrdinalIgnoreCase);
        return Page();
    }

    /// <summary>A name the pickup sender writes (<c>{yyyyMMddHHmmssfff}-{guid:N}.eml</c>): a plain file name, never a path.</summary>
    internal static bool IsMessageFileName(string name) => SafeName().IsMatch(name);

    [GeneratedRegex(@"^[0-9]{17}-[0-9a-f]{32}\.eml$")]
    private static partial Regex SafeName();
}
