using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Crm.Channels.Adapters;

/// <summary>Reads a request body into memory with a hard size cap, for adapters that parse whole payloads.</summary>
public static class RequestBody
{
    /// <summary>
    /// Reads the whole body, refusing it with 413 as soon as it is known to exceed <paramref name="limitBytes"/>
    /// (from Content-Length, or while streaming a chunked body).
    /// </summary>
    /// <exception cref="ChannelRequestException">413 when the body is over the limit.</exception>
    public static async Task<byte[]> ReadAsync(HttpRequest request, long limitBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > limitBytes)
        {
            throw ChannelRequestException.TooLarge(limitBytes);
        }

        return await ReadAsync(request.Body, limitBytes, request.ContentLength is > 0 and var length ? (int)length : 4096, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a stream to its end, refusing it with 413 as soon as it passes <paramref name="limitBytes"/>.</summary>
    /// <exception cref="ChannelRequestException">413 when the content is over the limit.</exception>
    internal static async Task<byte[]> ReadAsync(Stream body, long limitBytes, int expectedBytes, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(expectedBytes);
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var read = await body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > limitBytes)
            {
                throw ChannelRequestException.TooLarge(limitBytes);
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>True when the request's media type is one of <paramref name="mediaTypes"/> (parameters such as charset ignored).</summary>
    public static bool HasMediaType(HttpRequest request, params ReadOnlySpan<string> mediaTypes)
    {
        ArgumentNullException.ThrowIfNull(request);
        var contentType = request.ContentType;
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        foreach (var expected in mediaTypes)
        {
            if (string.Equals(mediaType, expected, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
