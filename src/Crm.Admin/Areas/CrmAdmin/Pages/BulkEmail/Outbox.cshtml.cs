using Crm.Campaigns.Sending;
using Microsoft.AspNetCore.Mvc.RazorPages;
using MimeKit;

namespace Crm.Admin.Pages.BulkEmail;

/// <summary>The <c>.eml</c> files of the pickup-folder sender (the default when no SMTP server is configured).</summary>
internal sealed class OutboxModel(ICampaignSender sender) : PageModel
{
    public sealed record OutboxItem(string Name, DateTime Written, string To, string Subject);

    public string? Directory { get; private set; }

    public IReadOnlyList<OutboxItem> Items { get; private set; } = [];

    public int Total { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (sender is not PickupDirectoryCampaignSender pickup)
        {
            return;
        }

        Directory = pickup.Directory;
        if (!System.IO.Directory.Exists(Directory))
        {
            return;
        }

        var files = new DirectoryInfo(Directory).GetFiles("*.eml").OrderByDescending(f => f.Name, StringComparer.Ordinal).ToList();
        Total = files.Count;
        var items = new List<OutboxItem>();
        foreach (var file in files.Take(200))
        {
            // Only the headers are needed for the list.
            await using var stream = file.OpenRead();
            var headers = await HeaderList.LoadAsync(stream, cancellationToken);
            items.Add(new OutboxItem(file.Name, file.LastWriteTimeUtc, headers[HeaderId.To] ?? "", headers[HeaderId.Subject] ?? "(no subject)"));
        }

        Items = items;
    }
}
