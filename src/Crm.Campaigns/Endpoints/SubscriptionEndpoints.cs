using Crm.Campaigns.Texts;
using System.Net;
using System.Text.Json;
using Crm.Campaigns.Subscriptions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Crm.Campaigns.Endpoints;

/// <summary>
/// <c>POST /subscribe</c> (a plain HTML form on any site, or JSON), <c>GET /subscribe/confirm/{token}</c> (a page that
/// changes nothing) and <c>POST /subscribe/confirm/{token}</c> (the page's button). Public; off unless
/// <see cref="SubscribeOptions.Enabled"/>.
/// </summary>
internal static class SubscriptionEndpoints
{
    private const int MaxBodyBytes = 16 * 1024;
    private const int MaxTags = 20;

    /// <summary>
    /// The least time a subscription request takes to answer. The work differs a little between a new address (a row
    /// written, a mail queued) and a known one (neither); the floor hides that, so timing tells nobody who is on the list.
    /// </summary>
    private static readonly TimeSpan ResponseFloor = TimeSpan.FromMilliseconds(150);

    public static RouteGroupBuilder Map(IEndpointRouteBuilder root)
    {
        var group = root.MapGroup("/subscribe").WithTags("Subscriptions");
        group.MapPost("/", SubscribeAsync).WithName("CrmSubscribe").DisableAntiforgery()
            .WithSummary("Asks for a subscription (double opt-in): a form or JSON { email, name, tags }; the same answer for every address")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapMethods("/confirm/{token}", [HttpMethods.Get, HttpMethods.Head], ConfirmPageAsync).WithName("CrmSubscribeConfirmPage").ExcludeFromDescription();
        group.MapPost("/confirm/{token}", ConfirmAsync).WithName("CrmSubscribeConfirm").DisableAntiforgery().ExcludeFromDescription();
        return group;
    }

    private static async Task<IResult> SubscribeAsync(HttpContext context, Crm.Campaigns.Subscriptions.Subscriptions subscriptions, TrackingBaseUrl baseUrl, IOptions<SubscribeOptions> options, IOptions<RecipientTexts> texts, TimeProvider time)
    {
        var started = time.GetTimestamp();
        var result = await ReadAndRequestAsync(context, subscriptions, baseUrl, options, texts).ConfigureAwait(false);
        var left = ResponseFloor - time.GetElapsedTime(started);
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left, time, context.RequestAborted).ConfigureAwait(false);
        }

        return result;
    }

    private static async Task<IResult> ReadAndRequestAsync(HttpContext context, Crm.Campaigns.Subscriptions.Subscriptions subscriptions, TrackingBaseUrl baseUrl, IOptions<SubscribeOptions> options, IOptions<RecipientTexts> texts)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "Subscriptions are not enabled on this server.");
        }

        var request = context.Request;
        var isForm = request.HasFormContentType;
        var isJson = request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true;
        if (!isForm && !isJson)
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "Post a form or application/json.");
        }

        // The bytes read are limited, not the length declared: a chunked body has none.
        var (body, tooLarge) = await JsonBody.ReadBytesAsync(request, MaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (tooLarge is not null)
        {
            return tooLarge;
        }

        string? email, name;
        List<string> tags;
        try
        {
            (email, name, tags) = isForm ? ReadForm(body) : ReadJson(body);
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or BadHttpRequestException or InvalidOperationException or System.Text.DecoderFallbackException)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed subscription", detail: "Send email, name and tags as a form or a JSON object.");
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var address = Crm.Contacts.ContactIdentity.NormalizeEmail(email);
        if (address is null)
        {
            errors["email"] = ["Enter a valid email address."];
        }

        if (name is { Length: > 128 } || name?.IndexOfAny(['\r', '\n']) >= 0)
        {
            errors["name"] = ["The name is one line of at most 128 characters."];
        }

        var refused = tags.Where(t => !settings.AllowedTags.Contains(t, StringComparer.Ordinal)).ToList();
        if (refused.Count > 0 || tags.Count > MaxTags)
        {
            errors["tags"] = [$"Choose from: {string.Join(", ", settings.AllowedTags)}."];
        }

        if (errors.Count > 0)
        {
            return isForm
                ? Results.Content(texts.Value.Page(texts.Value.FormErrorsTitle, RecipientTexts.Paragraph(string.Join(" ", errors.Values.SelectMany(v => v)))), "text/html; charset=utf-8", statusCode: StatusCodes.Status400BadRequest)
                : Results.ValidationProblem(errors, title: "Invalid subscription");
        }

        await subscriptions.RequestAsync(address!, string.IsNullOrWhiteSpace(name) ? null : name.Trim(), tags.Distinct(StringComparer.Ordinal).ToList(), baseUrl.For(request) + "/subscribe/confirm", context.RequestAborted).ConfigureAwait(false);
        // The same answer whether the address was new, pending or already subscribed: the form tells nobody who is on the list.
        return isForm
            ? Results.Content(texts.Value.Page(texts.Value.ConfirmationSentTitle, RecipientTexts.Paragraph(texts.Value.ConfirmationSent, "subscribe-sent")), "text/html; charset=utf-8")
            : Results.Json(new { status = "confirmation_sent" }, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> ConfirmPageAsync(string token, HttpContext context, Crm.Campaigns.Subscriptions.Subscriptions subscriptions, IOptions<SubscribeOptions> options, IOptions<RecipientTexts> texts)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (!options.Value.Enabled || !await subscriptions.IsValidAsync(token, context.RequestAborted).ConfigureAwait(false))
        {
            return Results.Content(texts.Value.Page(texts.Value.LinkNotValidTitle, RecipientTexts.Paragraph(texts.Value.ConfirmationLinkNotValid)), "text/html; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
        }

        // GET only shows the button: mail scanners follow links, and must not subscribe anyone.
        return Results.Content(texts.Value.Page(texts.Value.ConfirmTitle,
            $"<form method=\"post\" action=\"{WebUtility.HtmlEncode(context.Request.PathBase + context.Request.Path)}\"><button type=\"submit\" data-testid=\"subscribe-confirm\">{WebUtility.HtmlEncode(texts.Value.ConfirmButton)}</button></form>"), "text/html; charset=utf-8");
    }

    private static async Task<IResult> ConfirmAsync(string token, HttpContext context, Crm.Campaigns.Subscriptions.Subscriptions subscriptions, IOptions<SubscribeOptions> options, IOptions<RecipientTexts> texts)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (!options.Value.Enabled || !await subscriptions.ConfirmAsync(token, context.RequestAborted).ConfigureAwait(false))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Link not valid", detail: "This confirmation link is not valid or has expired.");
        }

        return Results.Content(texts.Value.Page(texts.Value.SubscribedTitle, RecipientTexts.Paragraph(texts.Value.Subscribed, "subscribed")), "text/html; charset=utf-8");
    }

    private static (string? Email, string? Name, List<string> Tags) ReadForm(ReadOnlyMemory<byte> body)
    {
        using var reader = new Microsoft.AspNetCore.WebUtilities.FormReader(new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body.Span));
        var form = reader.ReadForm();
        var tags = form.GetValueOrDefault("tags").SelectMany(t => (t ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        return (form.GetValueOrDefault("email").ToString(), form.GetValueOrDefault("name").ToString(), tags);
    }

    private static (string? Email, string? Name, List<string> Tags) ReadJson(ReadOnlyMemory<byte> body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        string? Read(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var tags = root.TryGetProperty("tags", out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Select(t => t.GetString() ?? "").ToList()
            : [];
        return (Read("email"), Read("name"), tags);
    }
}
