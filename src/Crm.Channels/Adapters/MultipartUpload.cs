using System.Text;
using Crm.Channels.Attachments;
using Crm.Channels.Tickets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Crm.Channels.Adapters;

/// <summary>The limits one <c>multipart/form-data</c> upload is read under.</summary>
/// <param name="MaxFiles">The most files.</param>
/// <param name="MaxFileBytes">The largest file.</param>
/// <param name="MaxTotalBytes">The most file bytes in all.</param>
/// <param name="AllowedTypes">The content types a file may have (checked against its first bytes for images and PDF), or null for any.</param>
internal sealed record UploadLimits(int MaxFiles, long MaxFileBytes, long MaxTotalBytes, IReadOnlyCollection<string>? AllowedTypes);

/// <summary>
/// A tighter bound a request's fields set on its files (a quota, the ticket's attachment limit): at most
/// <paramref name="Bytes"/> in all, refused with the given status and words past it.
/// </summary>
internal sealed record UploadRoom(long Bytes, int StatusCode, string Title, string Detail);

/// <summary>
/// Reads a <c>multipart/form-data</c> body as it streams: text fields (which must come before the files, so they are
/// checked before any byte of a file is stored), then files straight into the attachment store, never whole in memory.
/// Every new file is noted in <see cref="RequestUploads"/>, so a request refused later leaves none behind.
/// </summary>
internal static class MultipartUpload
{
    private const int MaxFields = 20;
    private const int MaxFieldBytes = 64 * 1024;

    /// <summary>True for a <c>multipart/form-data</c> request.</summary>
    public static bool IsMultipart(HttpRequest request) => RequestBody.HasMediaType(request, "multipart/form-data");

    /// <summary>Reads the fields, lets <paramref name="checkFields"/> refuse them, then stores the files.</summary>
    /// <exception cref="ChannelRequestException">400 malformed, 413 too large, 415 a file type not allowed.</exception>
    public static async Task<(IReadOnlyDictionary<string, string> Fields, IReadOnlyList<AttachmentInfo> Files)> ReadAsync(
        HttpRequest request, IAttachmentStore store, UploadLimits limits, Func<IReadOnlyDictionary<string, string>, ValueTask<UploadRoom?>> checkFields, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            throw ChannelRequestException.Malformed("A multipart/form-data body needs a boundary.");
        }

        var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 16 * 1024, BodyLengthLimit = null };
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = new List<AttachmentInfo>();
        var fieldsChecked = false;
        UploadRoom? room = null;
        var uploads = RequestUploads.For(request.HttpContext);
        long total = 0;
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    throw ChannelRequestException.Malformed("Each part of the form needs 'Content-Disposition: form-data; name=...'.");
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (!disposition.IsFileDisposition())
                {
                    if (files.Count > 0 || fieldsChecked)
                    {
                        throw ChannelRequestException.Malformed("Send the text fields before the files.");
                    }

                    if (fields.Count == MaxFields)
                    {
                        throw ChannelRequestException.Malformed($"The form has more than {MaxFields} fields.");
                    }

                    fields[name] = Encoding.UTF8.GetString(await RequestBody.ReadAsync(section.Body, MaxFieldBytes, 1024, cancellationToken).ConfigureAwait(false));
                    continue;
                }

                if (!fieldsChecked)
                {
                    room = await checkFields(fields).ConfigureAwait(false);
                    fieldsChecked = true;
                }

                if (files.Count == limits.MaxFiles)
                {
                    throw new ChannelRequestException(StatusCodes.Status413PayloadTooLarge, "Too many files", $"Send at most {limits.MaxFiles} files.");
                }

                var fileName = AttachmentFileName.Clean(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value);
                var type = (section.ContentType ?? "application/octet-stream").Split(';')[0].Trim().ToLowerInvariant();
                var content = section.Body;
                if (limits.AllowedTypes is { } allowed)
                {
                    if (!allowed.Contains(type, StringComparer.OrdinalIgnoreCase))
                    {
                        throw new ChannelRequestException(StatusCodes.Status415UnsupportedMediaType, "File type not accepted", $"Accepted: {string.Join(", ", allowed)}.");
                    }

                    content = await FileSignatures.CheckedAsync(content, type, cancellationToken).ConfigureAwait(false);
                }

                var fileRoom = Math.Min(limits.MaxFileBytes, limits.MaxTotalBytes - total);
                var roomLeft = room is null ? long.MaxValue : room.Bytes - total;
                if (roomLeft <= 0)
                {
                    throw new ChannelRequestException(room!.StatusCode, room.Title, room.Detail);
                }

                StoredAttachment stored;
                try
                {
                    stored = await store.PutAsync(content, Math.Min(fileRoom, roomLeft), cancellationToken).ConfigureAwait(false);
                }
                catch (AttachmentTooLargeException ex)
                {
                    throw roomLeft < fileRoom
                        ? new ChannelRequestException(room!.StatusCode, room.Title, room.Detail)
                        : new ChannelRequestException(StatusCodes.Status413PayloadTooLarge, "File too large", $"A file may have at most {ex.Limit} bytes.");
                }

                uploads.Add(stored);
                total += stored.Length;
                files.Add(new AttachmentInfo(fileName ?? $"attachment-{files.Count + 1}", type, stored.Length) { StorageKey = stored.Key });
            }
        }
        catch (IOException ex) when (ex is not BadHttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw ChannelRequestException.Malformed("The multipart body is malformed: " + ex.Message);
        }
        catch (InvalidDataException ex)
        {
            throw ChannelRequestException.Malformed("The multipart body is malformed: " + ex.Message);
        }

        if (!fieldsChecked)
        {
            await checkFields(fields).ConfigureAwait(false);
        }

        return (fields, files);
    }
}
