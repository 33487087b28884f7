using System.Text.Json.Serialization;
using Crm.Campaigns.Contacts;
using Crm.Campaigns.Segments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crm.Campaigns.Endpoints;

/// <summary>The body of <c>POST /segments</c>.</summary>
/// <param name="Name">A unique name (1 to 128 characters).</param>
/// <param name="Segment">The criteria, as a campaign's <c>segment</c>.</param>
public sealed record SaveSegmentRequest(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("segment")] SegmentCriteria? Segment);

/// <summary>A saved segment with the number of clients it reaches now.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Segment">The criteria.</param>
/// <param name="Owner">Who saved it.</param>
/// <param name="CreatedAt">When.</param>
/// <param name="Recipients">How many subscribed clients it reaches now.</param>
public sealed record SavedSegmentDto(long Id, string Name, SegmentCriteria Segment, string? Owner, DateTimeOffset CreatedAt, int Recipients);

/// <summary><c>GET</c>, <c>POST /segments</c> and <c>DELETE /segments/{id}</c>: segments kept by name, counted live.</summary>
internal static class SavedSegmentEndpoints
{
    public static void Map(RouteGroupBuilder segments)
    {
        segments.MapGet("/", ListAsync).WithName("CrmSegmentList").WithSummary("The saved segments, by name, each with the number of clients it reaches now")
            .Produces<IReadOnlyList<SavedSegmentDto>>();
        segments.MapPost("/", SaveAsync).WithName("CrmSegmentSave").DisableAntiforgery().WithSummary("Saves a segment under a unique name")
            .Accepts<SaveSegmentRequest>("application/json").Produces<SavedSegmentDto>(StatusCodes.Status201Created)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        segments.MapDelete("/{id:long}", DeleteAsync).WithName("CrmSegmentDelete").DisableAntiforgery().WithSummary("Deletes a saved segment (campaigns keep their own copy)")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ListAsync(ISavedSegmentStore store, IContactDirectory contacts, CancellationToken cancellationToken)
    {
        var saved = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<SavedSegmentDto>(saved.Count);
        foreach (var segment in saved)
        {
            list.Add(await ToDtoAsync(segment, contacts, cancellationToken).ConfigureAwait(false));
        }

        return Results.Ok(list);
    }

    private static async Task<IResult> SaveAsync(HttpContext context, ISavedSegmentStore store, IContactDirectory contacts, TimeProvider time)
    {
        var (request, error) = await JsonBody.ReadAsync(context.Request, BulkEmailJsonContext.Default.SaveSegmentRequest, 64 * 1024, context.RequestAborted).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var name = request!.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > SavedSegment.MaxNameLength || name.Any(char.IsControl))
        {
            errors["name"] = [$"A name is 1 to {SavedSegment.MaxNameLength} characters on one line."];
        }

        var segment = request.Segment ?? SegmentCriteria.All;
        foreach (var (field, problems) in segment.Validate())
        {
            errors[field] = problems;
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, title: "Invalid segment");
        }

        if (await store.CountAsync(context.RequestAborted).ConfigureAwait(false) >= SavedSegment.MaxCount)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many segments", detail: $"At most {SavedSegment.MaxCount} segments are kept: delete one first.");
        }

        var saved = await store.CreateAsync(name!, segment, context.User.Identity?.Name, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false);
        if (saved is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Name taken", detail: $"A segment named '{name}' exists already.");
        }

        var location = context.RequestServices.GetService(typeof(LinkGenerator)) is LinkGenerator links ? links.GetPathByName(context, "CrmSegmentList", null) : null;
        return Results.Created(location, await ToDtoAsync(saved, contacts, context.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<IResult> DeleteAsync(long id, ISavedSegmentStore store, CancellationToken cancellationToken) =>
        await store.DeleteAsync(id, cancellationToken).ConfigureAwait(false)
            ? Results.NoContent()
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Segment not found", detail: $"There is no saved segment {id}.");

    private static async Task<SavedSegmentDto> ToDtoAsync(SavedSegment segment, IContactDirectory contacts, CancellationToken cancellationToken) =>
        new(segment.Id, segment.Name, segment.Segment, segment.Owner, segment.CreatedAt, await contacts.CountRecipientsAsync(segment.Segment, cancellationToken).ConfigureAwait(false));
}
