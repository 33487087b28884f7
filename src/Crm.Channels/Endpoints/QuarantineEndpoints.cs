using Crm.Channels.Email;
using Crm.Channels.Ingestion;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crm.Channels.Endpoints;

/// <summary><c>/tickets/quarantine</c>: list, download, make a ticket, delete (agents).</summary>
internal static class QuarantineEndpoints
{
    private const int MaxListed = 500;

    public static void Map(IEndpointRouteBuilder tickets)
    {
        tickets.MapGet("/quarantine", ListAsync).WithName("CrmQuarantineList").WithTags("Quarantine")
            .WithSummary("Mail the intake could not read, newest first").Produces<IReadOnlyList<QuarantinedEmailDto>>();
        tickets.MapGet("/quarantine/{id:long}/raw", RawAsync).WithName("CrmQuarantineRaw").WithTags("Quarantine")
            .WithSummary("The quarantined mail as it arrived").Produces(StatusCodes.Status200OK, contentType: "message/rfc822").ProducesProblem(StatusCodes.Status404NotFound);
        tickets.MapPost("/quarantine/{id:long}/ticket", MakeTicketAsync).WithName("CrmQuarantineTicket").WithTags("Quarantine")
            .WithSummary("Makes a ticket of a quarantined mail")
            .Produces<TicketDto>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        tickets.MapDelete("/quarantine/{id:long}", DeleteAsync).WithName("CrmQuarantineDelete").WithTags("Quarantine")
            .WithSummary("Deletes a quarantined mail").Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ListAsync(HttpContext context, EmailQuarantine quarantine, LinkGenerator links, CancellationToken cancellationToken)
    {
        var items = await quarantine.ListAsync(MaxListed, cancellationToken).ConfigureAwait(false);
        return Results.Ok(items.Select(q => new QuarantinedEmailDto(
            q.Id, q.Source, q.Reason, q.Size, q.QuarantinedAt, q.Sender, q.Subject,
            q.RawKey is null ? null : links.GetPathByName(context, "CrmQuarantineRaw", new RouteValueDictionary { ["id"] = q.Id }))).ToList());
    }

    private static async Task<IResult> RawAsync(long id, HttpContext context, EmailQuarantine quarantine, CancellationToken cancellationToken)
    {
        var email = await quarantine.GetAsync(id, cancellationToken).ConfigureAwait(false);
        var content = email is null ? null : await quarantine.OpenRawAsync(email, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return NotFound(id);
        }

        // Raw mail can hold anything: a download, never rendered in this origin.
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
        return Results.Stream(content, "message/rfc822", fileDownloadName: $"quarantined-{id}.eml");
    }

    private static async Task<IResult> MakeTicketAsync(long id, QuarantineTicketRequest? request, HttpContext context, EmailQuarantine quarantine, LinkGenerator links, CancellationToken cancellationToken)
    {
        try
        {
            var result = await quarantine.MakeTicketAsync(id, request?.Email, cancellationToken).ConfigureAwait(false);
            return result is null
                ? NotFound(id)
                : Results.Created(links.GetPathByName(context, "CrmTicketGet", new RouteValueDictionary { ["id"] = result.Ticket.Id }), TicketDto.From(result.Ticket));
        }
        catch (InvalidInboundMessageException ex)
        {
            return Results.ValidationProblem(ex.Errors.ToDictionary(), title: "Cannot make a ticket of this mail");
        }
    }

    private static async Task<IResult> DeleteAsync(long id, EmailQuarantine quarantine, CancellationToken cancellationToken) =>
        await quarantine.DeleteAsync(id, cancellationToken).ConfigureAwait(false) ? Results.NoContent() : NotFound(id);

    private static IResult NotFound(long id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not in quarantine", detail: $"There is no quarantined email {id}.");
}
