using Crm.Hosting;
using Crm.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the API that manages outgoing webhooks.</summary>
public static class CrmWebhooksEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>/webhooks/endpoints</c>: create (the answer shows the secret, once), list, read, change, delete, the
    /// delivery log and replay. Returns the group: add the Managers' authorization
    /// (<c>.RequireAuthorization(CrmPolicies.Managers)</c>), or the host refuses to start.
    /// </summary>
    public static RouteGroupBuilder MapCrmWebhooks(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<WebhookSignal>() is null)
        {
            throw new InvalidOperationException("Call builder.Services.AddCrmWebhooks(...) before app.MapCrmWebhooks().");
        }

        if (endpoints.ServiceProvider.GetService<IWebhookStore>() is null)
        {
            throw new InvalidOperationException("Outgoing webhooks have no store: call AddCrmEntityFrameworkStores(...), or UseEntityFrameworkStore<YourContext>() or UseInMemoryStore() on AddCrmWebhooks(...).");
        }

        var group = endpoints.MapGroup("/webhooks/endpoints").WithTags("Webhooks")
            .RequireAuthorizationDecision("MapCrmWebhooks().RequireAuthorization(\"YourManagersPolicy\")");
        group.MapPost("/", CreateAsync).WithName("CrmWebhookCreate").WithSummary("Adds an endpoint; the answer holds its signing secret, shown only here")
            .Produces<WebhookEndpointDto>(StatusCodes.Status201Created).ProducesValidationProblem();
        group.MapGet("/", async (IWebhookStore store, CancellationToken cancellationToken) =>
                Results.Ok((await store.ListEndpointsAsync(cancellationToken).ConfigureAwait(false)).Select(e => WebhookEndpointDto.From(e)).ToList()))
            .WithName("CrmWebhookList").WithSummary("Lists the endpoints (no secrets)").Produces<List<WebhookEndpointDto>>();
        group.MapGet("/{id:long}", async (long id, IWebhookStore store, CancellationToken cancellationToken) =>
                await store.GetEndpointAsync(id, cancellationToken).ConfigureAwait(false) is { } endpoint ? Results.Ok(WebhookEndpointDto.From(endpoint)) : NotFound(id))
            .WithName("CrmWebhookGet").WithSummary("One endpoint (no secret)").Produces<WebhookEndpointDto>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/{id:long}", UpdateAsync).WithName("CrmWebhookUpdate").WithSummary("Changes an endpoint; enabled: true re-enables one disabled for failing")
            .Produces<WebhookEndpointDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id:long}", async (long id, IWebhookStore store, CancellationToken cancellationToken) =>
                await store.DeleteEndpointAsync(id, cancellationToken).ConfigureAwait(false) ? Results.NoContent() : NotFound(id))
            .WithName("CrmWebhookDelete").WithSummary("Removes an endpoint and its delivery log").Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:long}/deliveries", DeliveriesAsync).WithName("CrmWebhookDeliveries").WithSummary("The endpoint's delivery log, newest first")
            .Produces<WebhookDeliveryPageDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:long}/rotate-secret", RotateSecretAsync).WithName("CrmWebhookRotateSecret").WithSummary("Gives the endpoint a new secret (shown only here); the old one keeps signing beside it for the overlap")
            .Produces<WebhookSecretDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:long}/replay", ReplayAsync).WithName("CrmWebhookReplay").WithSummary("Sends one delivery again, or every failed one since a time, with the same webhook-id")
            .Produces(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> CreateAsync(CreateWebhookEndpointRequest? request, WebhookSubscriptions subscriptions, CancellationToken cancellationToken)
    {
        var (endpoint, secret, errors) = await subscriptions.CreateAsync(request?.Url, request?.Events, request?.Description, cancellationToken).ConfigureAwait(false);
        return endpoint is null
            ? Results.ValidationProblem(errors.ToDictionary())
            : Results.Created($"/webhooks/endpoints/{endpoint.Id}", WebhookEndpointDto.From(endpoint, secret));
    }

    private static async Task<IResult> UpdateAsync(long id, UpdateWebhookEndpointRequest? request, WebhookSubscriptions subscriptions, CancellationToken cancellationToken)
    {
        var (endpoint, errors) = await subscriptions.UpdateAsync(id, request?.Url, request?.Events, request?.Description, request?.Enabled, cancellationToken).ConfigureAwait(false);
        return errors.Count > 0 ? Results.ValidationProblem(errors.ToDictionary())
            : endpoint is null ? NotFound(id)
            : Results.Ok(WebhookEndpointDto.From(endpoint));
    }

    private static async Task<IResult> DeliveriesAsync(long id, int? page, int? pageSize, IWebhookStore store, CancellationToken cancellationToken)
    {
        if (page is < 1 or > 100_000 || pageSize is < 1 or > 200)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["page"] = ["Pages are 1 to 100000; pageSize is 1 to 200."] });
        }

        if (await store.GetEndpointAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            return NotFound(id);
        }

        var items = await store.ListDeliveriesAsync(id, page ?? 1, pageSize ?? 50, cancellationToken).ConfigureAwait(false);
        return Results.Ok(new WebhookDeliveryPageDto(items.Select(WebhookDeliveryDto.From).ToList(), page ?? 1, pageSize ?? 50));
    }

    private static async Task<IResult> RotateSecretAsync(long id, RotateWebhookSecretRequest? request, WebhookSubscriptions subscriptions, CancellationToken cancellationToken)
    {
        var overlap = TimeSpan.FromSeconds(request?.OverlapSeconds ?? TimeSpan.FromDays(1).TotalSeconds);
        if (overlap < TimeSpan.Zero || overlap > WebhookSubscriptions.MaxRotationOverlap)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["overlapSeconds"] = [$"0 to {WebhookSubscriptions.MaxRotationOverlap.TotalSeconds} seconds (a week)."] });
        }

        return await subscriptions.RotateSecretAsync(id, overlap, cancellationToken).ConfigureAwait(false) is { } rotated
            ? Results.Ok(new WebhookSecretDto(rotated.Secret, rotated.PreviousValidUntil))
            : NotFound(id);
    }

    private static async Task<IResult> ReplayAsync(long id, ReplayWebhookRequest? request, IWebhookStore store, WebhookSubscriptions subscriptions, CancellationToken cancellationToken)
    {
        if (await store.GetEndpointAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            return NotFound(id);
        }

        var queued = await subscriptions.ReplayAsync(id, request?.DeliveryId, request?.Since, cancellationToken).ConfigureAwait(false);
        return Results.Accepted(value: new { queued });
    }

    private static IResult NotFound(long id) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Webhook endpoint not found", detail: $"There is no webhook endpoint {id}.");
}
