using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Crm.Hosting;
using Microsoft.AspNetCore.Http;

namespace Crm.Campaigns.Endpoints;

/// <summary>Reads a JSON request body with a hard size cap, answering 413/415/400 as problem details.</summary>
internal static class JsonBody
{
    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, long limitBytes, CancellationToken cancellationToken)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (default, Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "Send the body as application/json."));
        }

        var (body, tooLarge) = await ReadBytesAsync(request, limitBytes, cancellationToken).ConfigureAwait(false);
        if (tooLarge is not null)
        {
            return (default, tooLarge);
        }

        try
        {
            var value = JsonSerializer.Deserialize(body.Span, typeInfo);
            return value is null
                ? (default, Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed request", detail: "The body must not be null."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            return (default, Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed request", detail: $"The body is not valid JSON for this endpoint ({JsonErrorLocation.Describe(ex)})."));
        }
    }

    /// <summary>Reads the whole body, stopping (413) as soon as it is over <paramref name="limitBytes"/>, whatever Content-Length claimed.</summary>
    public static async Task<(ReadOnlyMemory<byte> Body, IResult? Error)> ReadBytesAsync(HttpRequest request, long limitBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limitBytes)
        {
            return (default, TooLarge(limitBytes));
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var read = await request.Body.ReadAsync(buffer.GetMemory(16 * 1024), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return (buffer.WrittenMemory, null);
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > limitBytes)
            {
                return (default, TooLarge(limitBytes));
            }
        }
    }

    private static IResult TooLarge(long limitBytes)
        => Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large", detail: $"The request body is over the limit of {limitBytes} bytes.");
}
