using Crm.Channels.Attachments;
using Crm.Channels.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crm.Channels.Endpoints;

/// <summary>
/// Serves a ticket's kept attachments: to agents (<c>GET /tickets/{id}/attachments/{key}</c>) and through signed,
/// short-lived links to those without a session (<c>GET /attachments/{ticketId}/{key}/{expires}/{signature}</c>).
/// Whatever a file holds, it cannot run in this origin.
/// </summary>
internal static class AttachmentDownloads
{
    /// <summary>Maps the signed download (public: the signature is the authorisation).</summary>
    public static RouteHandlerBuilder MapSigned(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/attachments/{ticketId:long}/{key}/{expires:long}/{signature}", SignedAsync)
            .WithName(AttachmentLinks.RouteName)
            // A link the server hands out (in a transcript, to Twilio), not an API one calls: out of the OpenAPI document.
            .ExcludeFromDescription()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<IResult> SignedAsync(
        long ticketId, string key, long expires, string signature, HttpContext context, ITicketStore store, IAttachmentStore attachments, AttachmentLinks links, CancellationToken cancellationToken)
    {
        // A wrong or expired signature learns nothing about which tickets or files exist.
        if (!await links.VerifyAsync(ticketId, key, expires, signature, cancellationToken).ConfigureAwait(false))
        {
            return NotFound();
        }

        var result = await ServeAsync(ticketId, key, context, store, attachments, cancellationToken).ConfigureAwait(false);
        // Shown on another site (the page the chat widget runs on), as an image or a download, nothing more.
        context.Response.Headers["Cross-Origin-Resource-Policy"] = "cross-origin";
        return result;
    }

    /// <summary>Streams one kept attachment of a ticket, with headers that keep it from running as a page.</summary>
    public static async Task<IResult> ServeAsync(long ticketId, string key, HttpContext context, ITicketStore store, IAttachmentStore attachments, CancellationToken cancellationToken)
    {
        // Only an attachment of this ticket: a key alone (a hash anyone could compute for a known file) opens nothing.
        var details = await store.GetTicketDetailsAsync(ticketId, cancellationToken).ConfigureAwait(false);
        var attachment = details?.Messages.SelectMany(m => m.Attachments).FirstOrDefault(a => a.StorageKey == key);
        var content = attachment is null ? null : await attachments.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return NotFound();
        }

        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        // Whatever the file holds (HTML, SVG with script), it cannot run in this origin: sandboxed, no sources.
        headers.ContentSecurityPolicy = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'none'";
        headers.CacheControl = "private, max-age=3600";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        var type = attachment!.ContentType.ToLowerInvariant();
        var inline = (type.StartsWith("image/", StringComparison.Ordinal) && type != "image/svg+xml") || type == "application/pdf";
        var disposition = new Microsoft.Net.Http.Headers.ContentDispositionHeaderValue(inline ? "inline" : "attachment");
        disposition.SetHttpFileName(attachment.FileName ?? "attachment");
        headers.ContentDisposition = disposition.ToString();
        // Served as the type it claims only when it is safe to show; anything else is opaque bytes.
        return Results.Stream(content, inline ? type : "application/octet-stream", enableRangeProcessing: true);
    }

    private static IResult NotFound() =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Attachment not found", detail: "There is no such kept attachment, or the link expired.");
}
