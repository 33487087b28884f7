using Crm.Campaigns.Texts;
using System.Net;
using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Contacts;
using Crm.Campaigns.DependencyInjection;
using Crm.Campaigns.Diagnostics;
using Crm.Campaigns.Segments;
using Crm.Campaigns.Sending;
using Crm.Campaigns.Deliverability;
using Crm.Campaigns.Tracking;
using Crm.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Crm.Campaigns.Endpoints;
using Crm.Campaigns;
using Crm.Campaigns.Management;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the campaign API, the contacts API and the public tracking endpoints.</summary>
public static class BulkEmailEndpointRouteBuilderExtensions
{
    // Beyond this the row offset would overflow (and no list has that many pages).
    private const int MaxPage = 1_000_000;

    private static readonly byte[] TransparentGif = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    /// <summary>
    /// Maps <c>/bulk-email</c> (campaigns: add manager/marketing authorization through <see cref="BulkEmailEndpoints.Campaigns"/>),
    /// <c>/contacts</c> (<see cref="BulkEmailEndpoints.ContactsRead"/> and <see cref="BulkEmailEndpoints.ContactsWrite"/>), and the
    /// public <c>/bulk-email/open/…</c> and <c>/bulk-email/unsubscribe/…</c> (<see cref="BulkEmailEndpoints.Tracking"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>AddBulkEmail()</c>, a sender or the stores are missing.</exception>
    public static BulkEmailEndpoints MapBulkEmail(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        if (services.GetService<BulkEmailMarker>() is null)
        {
            throw new InvalidOperationException("MapBulkEmail() needs services.AddBulkEmail() in ConfigureServices.");
        }

        if (services.GetService<ICampaignSender>() is null)
        {
            throw new InvalidOperationException("MapBulkEmail() needs a sender: call .UseSmtp(...) or .UsePickupDirectory(...) on the AddBulkEmail() builder.");
        }

        if (services.GetService<ICampaignStore>() is null || services.GetService<ITrackingStore>() is null || services.GetService<IContactDirectory>() is null)
        {
            throw new InvalidOperationException("MapBulkEmail() needs campaign stores: call services.AddCrmEntityFrameworkStores(...) from Crm.Storage.EfCore.");
        }

        // One group without a prefix holds every endpoint, so whatever the host maps them under, a store outage is a 503.
        var root = endpoints.MapGroup("").AddEndpointFilter<RouteGroupBuilder, Crm.Storage.CrmStoreOutageFilter>();
        // Campaigns and the saved segments they are made from: one decision (MapBulkEmail().Campaigns) covers both.
        var marketing = root.MapGroup("")
            .RequireAuthorizationDecision("MapBulkEmail().Campaigns.RequireAuthorization(\"YourMarketingPolicy\")");
        var campaigns = marketing.MapGroup("/bulk-email").WithTags("Campaigns");
        if (services.GetService<ISavedSegmentStore>() is not null)
        {
            SavedSegmentEndpoints.Map(marketing.MapGroup("/segments").WithTags("Segments"));
        }

        campaigns.MapPost("/", CreateAsync).WithName("CrmCampaignCreate").DisableAntiforgery()
            .WithSummary("Creates a campaign to all clients or a segment, sent now (202) or at scheduledAt (201)")
            .Accepts<CreateCampaignRequest>("application/json")
            .Produces<CampaignDto>(StatusCodes.Status201Created).Produces<CampaignDto>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        campaigns.MapGet("/", ListAsync).WithName("CrmCampaignList").WithSummary("Lists campaigns, newest first, with their stats, a page at a time")
            .Produces<CampaignPageDto>().ProducesValidationProblem();
        campaigns.MapGet("/{id:long}", GetAsync).WithName(BulkEmailEndpointNames.Get).WithSummary("One campaign with its stats and per-link clicks")
            .Produces<CampaignDto>().ProducesProblem(StatusCodes.Status404NotFound);
        foreach (var (path, command, name) in new[] { ("pause", CampaignCommand.Pause, "CrmCampaignPause"), ("resume", CampaignCommand.Resume, "CrmCampaignResume"), ("cancel", CampaignCommand.Cancel, "CrmCampaignCancel") })
        {
            campaigns.MapPost($"/{{id:long}}/{path}", (long id, HttpContext context, CampaignControl control) => TransitionAsync(id, command, context, control)).DisableAntiforgery()
                .WithName(name).WithSummary($"{char.ToUpperInvariant(path[0])}{path[1..]}s a campaign (409 when its status does not allow it)")
                .Produces<CampaignDto>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        }

        campaigns.MapPost("/{id:long}/resend", ResendAsync).WithName("CrmCampaignResend").DisableAntiforgery()
            .WithSummary("A follow-up of a completed campaign, with a new subject, to its recipients who did not open it and are still subscribed")
            .Accepts<ResendRequest>("application/json").Produces<CampaignDto>(StatusCodes.Status201Created)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        campaigns.MapPost("/recipient-count", CountAsync).WithName("CrmCampaignRecipientCount").DisableAntiforgery()
            .WithSummary("Counts the subscribed contacts a segment reaches now")
            .Accepts<RecipientCountRequest>("application/json").Produces<RecipientCountDto>().ProducesValidationProblem();
        campaigns.MapPost("/preview", PreviewAsync).WithName("CrmCampaignPreview").DisableAntiforgery()
            .WithSummary("Renders a subject and body for a sample contact")
            .Accepts<CreateCampaignRequest>("application/json").Produces<CampaignPreviewDto>().ProducesValidationProblem();
        campaigns.MapPost("/test", SendTestAsync).WithName("CrmCampaignTest").DisableAntiforgery()
            .WithSummary("Sends a test copy, rendered for a sample contact, to one address (subject prefixed [Test])")
            .Accepts<CampaignTestRequest>("application/json").Produces(StatusCodes.Status202Accepted).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status502BadGateway);

        var tracking = root.MapGroup(TrackingRoutes.Group).WithTags("Tracking");
        tracking.MapGet(TrackingRoutes.Open, OpenAsync).WithName(BulkEmailEndpointNames.Open).ExcludeFromDescription();
        tracking.MapGet(TrackingRoutes.Click, ClickAsync).WithName("CrmCampaignClick").ExcludeFromDescription();
        tracking.MapPost("/webhooks/{provider}", WebhookAsync).WithName("CrmDeliveryWebhook").DisableAntiforgery()
            .WithSummary("Bounces and complaints from a sending provider (mailgun, sendgrid, postmark, ses, generic), each verified by its own signature")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        // Pages and links for recipients' mail clients, not an API: left out of the OpenAPI document (as the pixel and clicks).
        tracking.MapMethods(TrackingRoutes.Unsubscribe, [HttpMethods.Get, HttpMethods.Head], UnsubscribePageAsync).WithName("CrmCampaignUnsubscribePage").ExcludeFromDescription();
        tracking.MapPost(TrackingRoutes.Unsubscribe, UnsubscribeAsync).WithName(BulkEmailEndpointNames.Unsubscribe).DisableAntiforgery().ExcludeFromDescription();

        var contactsRead = root.MapGroup("/contacts").WithTags("Contacts")
            .RequireAuthorizationDecision("MapBulkEmail().ContactsRead.RequireAuthorization(\"YourAgentsPolicy\")");
        contactsRead.MapGet("/", ListContactsAsync).WithName("CrmContactList").WithSummary("Lists contacts, filtered by tags (all of them)")
            .Produces<ContactPageDto>().ProducesValidationProblem();
        contactsRead.MapGet("/tags", async (IContactDirectory contacts, CancellationToken cancellationToken) =>
                Results.Ok((await contacts.ListTagsAsync(200, cancellationToken).ConfigureAwait(false)).Select(t => new TagCountDto(t.Tag, t.Contacts)).ToList()))
            .WithName("CrmContactTags").WithSummary("The 200 most used tags, with how many contacts have each").Produces<List<TagCountDto>>();
        var contactsWrite = root.MapGroup("/contacts").WithTags("Contacts")
            .RequireAuthorizationDecision("MapBulkEmail().ContactsWrite.RequireAuthorization(\"YourMarketingPolicy\")");
        contactsWrite.MapPost("/", ImportContactsAsync).WithName("CrmContactImport").DisableAntiforgery()
            .WithSummary("Imports clients, upserted by email; answers counts and the rejected rows with reasons")
            .Accepts<List<ContactImportRow>>("application/json")
            .Produces<ContactImportResultDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        contactsWrite.MapPatch("/{id:long}", UpdateContactAsync).WithName("CrmContactUpdate").DisableAntiforgery()
            .WithSummary("Lifts a contact's bounce (audited)").Accepts<ContactUpdateRequest>("application/json")
            .Produces<ContactDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        var subscriptions = SubscriptionEndpoints.Map(root);
        return new BulkEmailEndpoints(marketing, tracking, contactsRead, contactsWrite, subscriptions);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, CampaignComposer composer, TrackingBaseUrl trackingBaseUrl, LinkGenerator links, IOptions<BulkEmailOptions> options)
    {
        var (request, error) = await JsonBody.ReadAsync(context.Request, BulkEmailJsonContext.Default.CreateCampaignRequest, options.Value.MaxRequestBytes, context.RequestAborted).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var (campaign, errors) = await composer.CreateAsync(request!, trackingBaseUrl.For(context.Request), context.RequestAborted).ConfigureAwait(false);
        if (campaign is null)
        {
            return Results.ValidationProblem(errors.ToDictionary(), title: "Invalid campaign");
        }

        var location = links.GetPathByName(context, BulkEmailEndpointNames.Get, new RouteValueDictionary { ["id"] = campaign.Id });
        return campaign.Status == CampaignStatus.Scheduled && campaign.ScheduledAt > campaign.CreatedAt
            ? Results.Created(location, CampaignDto.From(campaign))
            : Results.Accepted(location, CampaignDto.From(campaign));
    }

    private static async Task<IResult> ResendAsync(long id, HttpContext context, CampaignComposer composer, TrackingBaseUrl trackingBaseUrl, LinkGenerator links)
    {
        var (request, error) = await JsonBody.ReadAsync(context.Request, BulkEmailJsonContext.Default.ResendRequest, 64 * 1024, context.RequestAborted).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var (campaign, original, errors) = await composer.ResendToNonOpenersAsync(id, request!.Subject, request.ScheduledAt, trackingBaseUrl.For(context.Request), context.RequestAborted).ConfigureAwait(false);
        if (campaign is not null)
        {
            return Results.Created(links.GetPathByName(context, BulkEmailEndpointNames.Get, new RouteValueDictionary { ["id"] = campaign.Id }), CampaignDto.From(campaign));
        }

        return original is null ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Campaign not found", detail: $"There is no campaign {id}.")
            : original.Status != CampaignStatus.Completed ? Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Campaign not completed", detail: $"Campaign {id} is {original.Status.ToString().ToLowerInvariant()}: its non-openers are known once it has completed.")
            : Results.ValidationProblem(errors.ToDictionary(), title: "Invalid follow-up");
    }

    private static async Task<IResult> PreviewAsync(HttpContext context, CampaignComposer composer, TrackingBaseUrl trackingBaseUrl)
    {
        var (request, error) = await JsonBody.ReadAsync(context.Request, BulkEmailJsonContext.Default.CreateCampaignRequest, 2 * 1024 * 1024, context.RequestAborted).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var (message, templateErrors) = await composer.PreviewAsync(request!.Subject ?? "", request.Body ?? "", trackingBaseUrl.For(context.Request), context.RequestAborted).ConfigureAwait(false);
        return message is null
            ? Results.ValidationProblem(templateErrors.ToDictionary(), title: "Invalid template")
            : Results.Ok(new CampaignPreviewDto(message.Subject, message.HtmlBody, message.TextBody));
    }

    private static async Task<IResult> SendTestAsync(HttpContext context, CampaignComposer composer, TrackingBaseUrl trackingBaseUrl)
    {
        var (request, error) = await JsonBody.ReadAsync(context.Request, BulkEmailJsonContext.Default.CampaignTestRequest, 2 * 1024 * 1024, context.RequestAborted).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var to = Crm.Contacts.ContactIdentity.NormalizeEmail(request!.To);
        var errors = new Dictionary<string, string[]>(await composer.ValidateAsync(new CreateCampaignRequest { Subject = request.Subject, Body = request.Body }, context.RequestAborted).ConfigureAwait(false));
        if (to is null)
        {
            errors["to"] = ["Enter the address the test goes to."];
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, title: "Invalid test");
        }

        try
        {
            await composer.SendTestAsync(request.Subject!, request.Body!, to!, context.User.Identity?.Name, trackingBaseUrl.For(context.Request), context.RequestAborted).ConfigureAwait(false);
            return Results.Accepted();
        }
        catch (Crm.Campaigns.Sending.CampaignSendException ex)
        {
            return Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The test could not be sent", detail: ex.Message);
        }
    }

    private static async Task<IResult> ListAsync(int? page, int? pageSize, ICampaignStore store, CancellationToken cancellationToken)
    {
        if (page is < 1 or > MaxPage || pageSize is < 1 or > 200)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["page"] = [$"Pages are 1 to {MaxPage}; pageSize is 1 to 200."] });
        }

        var campaigns = await store.ListAsync(page ?? 1, pageSize ?? 50, cancellationToken).ConfigureAwait(false);
        var total = await store.CountAsync(cancellationToken).ConfigureAwait(false);
        return Results.Ok(new CampaignPageDto(campaigns.Select(c => CampaignDto.From(c)).ToList(), page ?? 1, pageSize ?? 50, total));
    }

    private static async Task<IResult> GetAsync(long id, ICampaignStore store, ITrackingStore tracking, CancellationToken cancellationToken)
    {
        // The backlog first, then the stats: a client that sees inFlight 0 (a pause has taken effect) must also see every
        // message that was in flight counted. Read the other way round, a batch recorded between the two reads showed
        // inFlight 0 beside a sent count that was about to grow (seen as a flaky scale-out test under load).
        var backlog = await store.GetBacklogAsync(id, cancellationToken).ConfigureAwait(false);
        var campaign = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return campaign is null
            ? CampaignNotFound(id)
            : Results.Ok(CampaignDto.From(campaign, backlog, await tracking.GetLinkClicksAsync(id, cancellationToken).ConfigureAwait(false)));
    }

    private static async Task<IResult> TransitionAsync(long id, CampaignCommand command, HttpContext context, CampaignControl control)
    {
        try
        {
            var campaign = await control.ApplyAsync(id, command, context.User.Identity?.Name, context.RequestAborted).ConfigureAwait(false);
            if (campaign is null)
            {
                return CampaignNotFound(id);
            }

            return Results.Ok(CampaignDto.From(campaign));
        }
        catch (InvalidCampaignTransitionException ex)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not allowed now", detail: ex.Message);
        }
    }

    private static async Task<IResult> CountAsync(HttpContext context, IContactDirectory contacts, IOptions<BulkEmailOptions> options)
    {
        var (request, error) = await JsonBody.ReadAsync(context.Request, BulkEmailJsonContext.Default.RecipientCountRequest, 64 * 1024, context.RequestAborted).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var segment = request!.Segment ?? SegmentCriteria.All;
        var errors = segment.Validate();
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors.ToDictionary(), title: "Invalid segment");
        }

        return Results.Ok(new RecipientCountDto(await contacts.CountRecipientsAsync(segment, context.RequestAborted).ConfigureAwait(false)));
    }

    private static async Task<IResult> OpenAsync(long campaignId, string token, HttpContext context, TrackingKeyProvider keys, OpenRecorder opens, TimeProvider time)
    {
        var tokens = await keys.GetTokensAsync(context.RequestAborted).ConfigureAwait(false);
        if (tokens.Verify(campaignId, token, TrackingTokenPurpose.Open) is { } recipientId)
        {
            var machine = MachineOpens.IsMachineUserAgent(context.Request.Headers.UserAgent.ToString());
            await opens.RecordAsync(new OpenEvent(campaignId, recipientId, time.GetUtcNow()) { Machine = machine }, context.RequestAborted).ConfigureAwait(false);
        }

        // Every token gets the same pixel: a forged one learns nothing and counts nothing.
        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache, no-store, must-revalidate, private, max-age=0";
        headers.Pragma = "no-cache";
        headers.Expires = "0";
        return Results.Bytes(TransparentGif, "image/gif");
    }

    private static async Task<IResult> ClickAsync(
        long campaignId, string token, HttpContext context, TrackingKeyProvider keys, CampaignLinks links, ITrackingStore store, TimeProvider time)
    {
        var cancellationToken = context.RequestAborted;
        var tokens = await keys.GetTokensAsync(cancellationToken).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        // Only a valid token for a link of this campaign redirects, and only to that link: never an open redirect.
        // A link with a control character (stored before they were refused at creation) cannot go into a Location header.
        if (tokens.VerifyClick(campaignId, token) is not { } click
            || await links.GetAsync(campaignId, cancellationToken).ConfigureAwait(false) is not { } campaignLinks
            || click.LinkIndex >= campaignLinks.Count
            || campaignLinks[click.LinkIndex].Any(char.IsControl))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Link not valid", detail: "This link is not valid. Use the link from the latest email you received.");
        }

        await store.RecordClickAsync(new ClickEvent(campaignId, click.RecipientId, click.LinkIndex, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        return Results.Redirect(campaignLinks[click.LinkIndex]);
    }

    private static async Task<IResult> WebhookAsync(string provider, HttpContext context, DeliveryWebhooks webhooks)
    {
        // Providers batch at most a few hundred small events: a megabyte is plenty, and bounds what a stranger can send.
        // No media-type check: SNS posts its JSON as text/plain.
        var (body, tooLarge) = await JsonBody.ReadBytesAsync(context.Request, 1024 * 1024, context.RequestAborted).ConfigureAwait(false);
        return tooLarge ?? await webhooks.HandleAsync(provider.ToLowerInvariant(), body.ToArray(), context.Request, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<IResult> UnsubscribePageAsync(long campaignId, string token, HttpContext context, TrackingKeyProvider keys, LinkGenerator links, IOptions<RecipientTexts> texts)
    {
        var words = texts.Value;
        var tokens = await keys.GetTokensAsync(context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        // GET and HEAD only show the page: link scanners and prefetchers follow links, and must not unsubscribe anyone.
        if (tokens.Verify(campaignId, token, TrackingTokenPurpose.Unsubscribe) is null)
        {
            return Results.Content(words.Page(words.LinkNotValidTitle, RecipientTexts.Paragraph(words.UnsubscribeLinkNotValid)), "text/html; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
        }

        var action = WebUtility.HtmlEncode(links.GetPathByName(context, BulkEmailEndpointNames.Unsubscribe, new RouteValueDictionary { ["campaignId"] = campaignId, ["token"] = token }));
        return Results.Content(words.Page(words.UnsubscribeTitle, $"""
            {RecipientTexts.Paragraph(words.UnsubscribeQuestion)}
            <form method="post" action="{action}"><button type="submit" data-testid="unsubscribe-confirm">{WebUtility.HtmlEncode(words.UnsubscribeButton)}</button></form>
            """), "text/html; charset=utf-8");
    }

    private static async Task<IResult> UnsubscribeAsync(long campaignId, string token, HttpContext context, TrackingKeyProvider keys, Unsubscriptions unsubscriptions, IOptions<RecipientTexts> texts)
    {
        var tokens = await keys.GetTokensAsync(context.RequestAborted).ConfigureAwait(false);
        if (tokens.Verify(campaignId, token, TrackingTokenPurpose.Unsubscribe) is not { } recipientId
            || !await unsubscriptions.UnsubscribeAsync(campaignId, recipientId, "link", context.RequestAborted).ConfigureAwait(false))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Link not valid", detail: "This unsubscribe link is not valid.");
        }

        CrmCampaignsTelemetry.Unsubscribes.Add(1);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Content(texts.Value.Page(texts.Value.UnsubscribedTitle, RecipientTexts.Paragraph(texts.Value.Unsubscribed, "unsubscribed")), "text/html; charset=utf-8");
    }

    private static async Task<IResult> ListContactsAsync(HttpContext context, int? page, int? pageSize, IContactDirectory contacts)
    {
        if (page is < 1 or > MaxPage || pageSize is < 1 or > 200)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["page"] = [$"Pages are 1 to {MaxPage}; pageSize is 1 to 200."] });
        }

        var tags = context.Request.Query["tag"].Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).ToList();
        var result = await contacts.ListAsync(tags, page ?? 1, pageSize ?? 50, context.RequestAborted).ConfigureAwait(false);
        return Results.Ok(new ContactPageDto(result.Items.Select(ContactDto.From).ToList(), result.Page, result.PageSize, result.Total));
    }

    /// <summary>
    /// <c>PATCH /contacts/{id}</c> with <c>{"marketingStatus": "subscribed"}</c>: lifts a bounce, audited with who did it.
    /// Unsubscribed contacts answer 409: only the person can take an unsubscribe back.
    /// </summary>
    private static async Task<IResult> UpdateContactAsync(long id, HttpContext context, IContactDirectory contacts, TimeProvider time, ILoggerFactory loggers)
    {
        var (update, error) = await JsonBody.ReadAsync(context.Request, BulkEmailJsonContext.Default.ContactUpdateRequest, 64 * 1024, context.RequestAborted).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (!string.Equals(update!.MarketingStatus, "subscribed", StringComparison.Ordinal))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["marketingStatus"] = ["Only \"subscribed\" can be set: it lifts a bounce."] });
        }

        var before = await contacts.GetContactAsync(id, context.RequestAborted).ConfigureAwait(false);
        if (before is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no contact {id}.");
        }

        if (before.MarketingStatus == MarketingStatus.Unsubscribed)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Unsubscribed", detail: "The contact unsubscribed; only they can subscribe again.");
        }

        var after = await contacts.ClearBounceAsync(id, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false);
        if (before.MarketingStatus != after!.MarketingStatus)
        {
            ContactAudit.SuppressionCleared(loggers.CreateLogger(ContactAudit.Category), id, before.Email ?? "", before.MarketingStatus.ToString().ToLowerInvariant(), context.User.Identity?.Name ?? "unknown");
        }

        return Results.Ok(ContactDto.From(after));
    }

    private static async Task<IResult> ImportContactsAsync(HttpContext context, ContactImporter importer, IOptions<BulkEmailOptions> options)
    {
        var (rows, error) = await JsonBody.ReadAsync(context.Request, BulkEmailJsonContext.Default.ListContactImportRow, options.Value.MaxRequestBytes, context.RequestAborted).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (rows!.Count > importer.MaxRows)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too many rows", detail: $"Send at most {importer.MaxRows} contacts per request.");
        }

        var result = await importer.ImportAsync(rows, context.RequestAborted).ConfigureAwait(false);
        return Results.Ok(new ContactImportResultDto(result.Created, result.Updated, result.Rejected));
    }

    private static IResult CampaignNotFound(long id)
        => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Campaign not found", detail: $"There is no campaign {id}.");
}
