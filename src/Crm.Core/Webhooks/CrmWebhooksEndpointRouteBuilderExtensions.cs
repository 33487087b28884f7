using Crm.Events;
using Crm.Hosting;
using Crm.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

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

    private static async Task<IResult> CreateAsync(CreateWebhookEndpointRequest? request, IWebhookStore store, IHostEnvironment environment, IOptions<OutgoingWebhookOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var url = await ValidateUrlAsync(request?.Url, environment, options.Value, errors, cancellationToken).ConfigureAwait(false);
        var events = ValidateEvents(request?.Events, errors);
        ValidateDescription(request?.Description, errors);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        var secret = WebhookSignature.NewSecret();
        var endpoint = await store.CreateEndpointAsync(new NewWebhookEndpoint(url!, events!, request!.Description?.Trim(), secret), time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return Results.Created($"/webhooks/endpoints/{endpoint.Id}", WebhookEndpointDto.From(endpoint, secret));
    }

    private static async Task<IResult> UpdateAsync(long id, UpdateWebhookEndpointRequest? request, IWebhookStore store, IHostEnvironment environment, IOptions<OutgoingWebhookOptions> options, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var url = request?.Url is null ? null : await ValidateUrlAsync(request.Url, environment, options.Value, errors, cancellationToken).ConfigureAwait(false);
        var events = request?.Events is null ? null : ValidateEvents(request.Events, errors);
        ValidateDescription(request?.Description, errors);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        var updated = await store.UpdateEndpointAsync(id, url, events, request?.Description?.Trim(), request?.Enabled, request?.Enabled == false ? "Disabled by a person." : null, cancellationToken).ConfigureAwait(false);
        return updated is null ? NotFound(id) : Results.Ok(WebhookEndpointDto.From(updated));
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

    private static async Task<IResult> RotateSecretAsync(long id, RotateWebhookSecretRequest? request, IWebhookStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var overlap = request?.OverlapSeconds ?? (int)TimeSpan.FromHours(24).TotalSeconds;
        if (overlap is < 0 or > 7 * 24 * 3600)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["overlapSeconds"] = ["0 to 604800 seconds (a week)."] });
        }

        var secret = WebhookSignature.NewSecret();
        var previousUntil = time.GetUtcNow().AddSeconds(overlap);
        return await store.RotateSecretAsync(id, secret, previousUntil, cancellationToken).ConfigureAwait(false)
            ? Results.Ok(new WebhookSecretDto(secret, previousUntil))
            : NotFound(id);
    }

    private static async Task<IResult> ReplayAsync(long id, ReplayWebhookRequest? request, IWebhookStore store, WebhookSignal signal, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await store.GetEndpointAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            return NotFound(id);
        }

        var queued = await store.ReplayAsync(id, request?.DeliveryId, request?.Since, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        signal.Wake();
        return Results.Accepted(value: new { queued });
    }

    private static async Task<string?> ValidateUrlAsync(string? url, IHostEnvironment environment, OutgoingWebhookOptions options, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > 2000 || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            errors["url"] = ["An absolute http(s) URL of at most 2000 characters, without credentials."];
            return null;
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !environment.IsDevelopment())
        {
            errors["url"] = ["Webhooks are delivered over HTTPS only (plain http is allowed in Development)."];
            return null;
        }

        try
        {
            await WebhookDestinations.ResolveAsync(uri.IdnHost, options.AllowPrivateNetworks, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebhookDestinationException or System.Net.Sockets.SocketException)
        {
            errors["url"] = [ex is WebhookDestinationException ? ex.Message : $"'{uri.IdnHost}' does not resolve."];
            return null;
        }

        return uri.AbsoluteUri;
    }

    private static List<string>? ValidateEvents(IReadOnlyList<string>? events, Dictionary<string, string[]> errors)
    {
        var unknown = events?.Where(e => e != "*" && !CrmEventTypes.All.Contains(e)).ToList();
        if (events is null || events.Count == 0 || events.Count > 50 || unknown!.Count > 0)
        {
            errors["events"] = [$"Name one or more of: * (all), {string.Join(", ", CrmEventTypes.All)}." + (unknown is { Count: > 0 } ? $" Unknown: {string.Join(", ", unknown.Take(5).Select(u => u.Length > 64 ? u[..64] : u))}." : "")];
            return null;
        }

        return events.Distinct(StringComparer.Ordinal).ToList();
    }

    private static void ValidateDescription(string? description, Dictionary<string, string[]> errors)
    {
        if (description is { Length: > 500 })
        {
            errors["description"] = ["At most 500 characters."];
        }
    }

    private static IResult NotFound(long id) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Webhook endpoint not found", detail: $"There is no webhook endpoint {id}.");
}
