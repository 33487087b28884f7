using Crm.Channels.Tickets;

namespace Crm.Channels.Attachments;

/// <summary>Points an email's <c>cid:</c> references at where its kept inline parts are served.</summary>
public static class InlineImages
{
    /// <summary>The HTML with each <c>cid:{Content-ID}</c> of a kept attachment replaced by <paramref name="urlFor"/>'s URL for it.</summary>
    public static string? Resolve(string? html, IReadOnlyList<AttachmentInfo> attachments, Func<AttachmentInfo, string?> urlFor)
    {
        ArgumentNullException.ThrowIfNull(attachments);
        ArgumentNullException.ThrowIfNull(urlFor);
        foreach (var attachment in attachments.Where(a => a.ContentId is not null && a.StorageKey is not null))
        {
            html = html?.Replace("cid:" + attachment.ContentId, urlFor(attachment) ?? "", StringComparison.OrdinalIgnoreCase);
        }

        return html;
    }
}
