using Crm.Channels.Tickets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Crm.Channels.Attachments;

/// <summary>
/// The content one request stored as new (<see cref="StoredAttachment.IsNew"/>). When the request ends, whatever no
/// stored message references is deleted again: a refused upload, a refused reply, a duplicate delivery or a file past
/// the ticket's limit leaves nothing behind in the store.
/// </summary>
internal sealed partial class RequestUploads
{
    private static readonly object ItemKey = new();
    private readonly List<string> _stored = [];

    /// <summary>The request's uploads (created on first use).</summary>
    public static RequestUploads For(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items[ItemKey] is not RequestUploads uploads)
        {
            context.Items[ItemKey] = uploads = new RequestUploads();
        }

        return uploads;
    }

    public void Add(StoredAttachment stored)
    {
        if (stored.IsNew)
        {
            Add(stored.Key);
        }
    }

    /// <summary>Notes content the request stored as new.</summary>
    public void Add(string key) => _stored.Add(key);

    /// <summary>Deletes the request's new content that <paramref name="kept"/> does not name; never throws (the retention sweep is the fallback).</summary>
    public async Task DiscardUnkeptAsync(IAttachmentStore store, IEnumerable<AttachmentInfo> kept, ILogger logger)
    {
        await DiscardAsync(store, _stored, kept, logger).ConfigureAwait(false);
        _stored.Clear();
    }

    /// <summary>
    /// Deletes the <paramref name="created"/> content (stored as new by the work at hand) that no attachment in
    /// <paramref name="kept"/> names; never throws (the retention sweep is the fallback).
    /// </summary>
    public static async Task DiscardAsync(IAttachmentStore store, IEnumerable<string> created, IEnumerable<AttachmentInfo> kept, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        var keep = kept.Where(a => a.StorageKey is not null).Select(a => a.StorageKey!).ToHashSet(StringComparer.Ordinal);
        foreach (var key in created.Where(k => !keep.Contains(k)).Distinct(StringComparer.Ordinal).ToList())
        {
            try
            {
                await store.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogDeleteFailed(logger, ex, key);
            }
        }
    }

    [LoggerMessage(EventId = 2803, Level = LogLevel.Warning, Message = "Could not delete attachment {Key} of a refused request; the retention sweep will")]
    private static partial void LogDeleteFailed(ILogger logger, Exception exception, string key);
}
