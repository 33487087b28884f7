using Microsoft.Extensions.Logging;
using System.Text.Json;
using System.Text.RegularExpressions;
using Crm.Channels.Adapters;
using Crm.Channels.Attachments;
using Crm.Channels.Chat;
using Crm.Channels.Diagnostics;
using Crm.Channels.Replies;
using Crm.Channels.DependencyInjection;
using Crm.Channels.Ingestion;
using Crm.Channels.Storage;
using Crm.Channels.Management;
using Crm.Channels.Tickets;
using Crm.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Crm.Channels.Endpoints;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the ticket intake and query endpoints.</summary>
public static partial class CrmChannelsEndpointRouteBuilderExtensions
{
    /// <summary>The largest page <c>GET /tickets</c> serves.</summary>
    public const int MaxPageSize = 200;

    /// <summary>The most messages one <c>GET /tickets/{id}</c> answers with.</summary>
    public const int MaxMessagesPerPage = 1000;

    /// <summary>The longest reply an agent may send, in characters.</summary>
    public const int MaxReplyLength = 4096;

    private const int MaxPage = 1_000_000;

    /// <summary>
    /// Maps <c>POST /tickets?channel=...</c> (public intake; each adapter authenticates its own transport),
    /// <c>GET /tickets</c>, <c>GET /tickets/{id}</c> and <c>PATCH /tickets/{id}</c>, <c>POST /tickets/{id}/replies</c> (for agents: add authorization through
    /// <see cref="CrmChannelsEndpoints.Agents"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>AddCrmChannels()</c> or a ticket store is missing.</exception>
    public static CrmChannelsEndpoints MapCrmChannels(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<CrmChannelsMarker>() is null)
        {
            throw new InvalidOperationException("MapCrmChannels() needs services.AddCrmChannels() (and the channels you want, e.g. .AddChat()) in ConfigureServices.");
        }

        var registered = endpoints.ServiceProvider.GetRequiredService<IServiceProviderIsService>();
        var missing = new[] { typeof(ITicketStore), typeof(ITicketContactStore), typeof(ITicketQueryStore), typeof(IReplyOutboxStore), typeof(Crm.Security.ICrmSecretStore) }
            .Where(store => !registered.IsService(store)).Select(store => store.Name).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"MapCrmChannels() needs every ticket store, and {string.Join(", ", missing)} has none: call services.AddCrmEntityFrameworkStores(...) from Crm.Storage.EfCore, .UseInMemoryStore() on the AddCrmChannels() builder for tests, or .UseTicketStore<YourStore>() for your own.");
        }

        // Built now, not on the first request: two adapters claiming one channel stop the app at start.
        _ = endpoints.ServiceProvider.GetRequiredService<ChannelAdapterRegistry>();
        // One group without a prefix holds every endpoint, so whatever the host maps them under, a store outage is a 503.
        var group = endpoints.MapGroup("").AddEndpointFilter<RouteGroupBuilder, Crm.Storage.CrmStoreOutageFilter>();
        var intake = group.MapPost("/tickets", IntakeAsync)
            .WithName("CrmTicketIntake")
            .WithTags("Intake")
            .WithSummary("A message from a channel (?channel=chat|email|whatsapp|yours): chat takes JSON or multipart with one file, email raw RFC 5322, WhatsApp Twilio's signed form")
            .DisableAntiforgery()
            .Accepts<Crm.Channels.Chat.ChatMessageRequest>("application/json", "multipart/form-data", "application/x-www-form-urlencoded", "message/rfc822")
            .Produces<Crm.Channels.Chat.ChatReceipt>(StatusCodes.Status200OK)
            .Produces<Crm.Channels.Chat.ChatReceipt>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        var agents = group.MapGroup("/tickets").WithTags("Tickets")
            .RequireAuthorizationDecision("MapCrmChannels().Agents.RequireAuthorization(\"YourAgentsPolicy\")");
        agents.MapGet("/", ListAsync).WithName("CrmTicketList").WithSummary("Lists tickets, newest activity first, filtered by channel and status")
            .Produces<TicketPageDto>().ProducesValidationProblem();
        agents.MapGet("/{id:long}", GetAsync).WithName("CrmTicketGet").WithSummary("One ticket with a page of its messages (latest first page; before/after/limit), with an ETag")
            .Produces<TicketDetailsDto>().Produces(StatusCodes.Status304NotModified)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        agents.MapGet("/{id:long}/attachments/{key}", AttachmentAsync).WithName("CrmTicketAttachment").WithSummary("Downloads an attachment of the ticket")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream").ProducesProblem(StatusCodes.Status404NotFound);
        agents.MapPatch("/{id:long}", UpdateStatusAsync).WithName("CrmTicketUpdate").WithSummary("Sets a ticket's status").Produces<TicketDto>()
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        agents.MapPost("/{id:long}/replies", ReplyAsync).WithName("CrmTicketReply").WithSummary("An agent's reply, delivered on the ticket's channel through the outbox (JSON, or multipart with files)").Accepts<TicketReplyRequest>("application/json", "multipart/form-data").Produces<TicketMessageDto>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        if (endpoints.ServiceProvider.GetService<Crm.Channels.Email.EmailQuarantine>() is not null)
        {
            QuarantineEndpoints.Map(agents);
        }

        if (endpoints.ServiceProvider.GetService<Crm.Channels.Email.OutboundEmails>() is not null)
        {
            agents.MapPost("/outbound", StartEmailAsync).WithName("CrmTicketOutbound").WithSummary("An agent starts an email conversation from an inbox: a new ticket whose customer's answer threads back into it")
                .Accepts<OutboundEmailRequest>("application/json").Produces<TicketDetailsDto>(StatusCodes.Status201Created)
                .ProducesValidationProblem().ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
            agents.MapGet("/inboxes", (Crm.Channels.Email.EmailInboxes inboxes) => Results.Ok(inboxes.Summaries)).WithName("CrmTicketInboxes")
                .WithSummary("The inboxes agents answer and start email conversations from, the default one first")
                .Produces<IReadOnlyList<Crm.Channels.Email.EmailInboxSummary>>();
        }

        // The visitor's side of chat conversations: public, authorised by the conversation's visitor token.
        IEndpointConventionBuilder? conversations = endpoints.ServiceProvider.GetRequiredService<ChannelAdapterRegistry>().Find(ChatAdapter.ChannelName) is null
            ? null
            : ChatConversationEndpoints.Map(group);
        var downloads = AttachmentDownloads.MapSigned(group);
        return new CrmChannelsEndpoints(intake, agents, conversations, downloads);
    }

    private static async Task<IResult> IntakeAsync(HttpContext context, string? channel, ChannelAdapterRegistry registry, IIngestionPipeline pipeline)
    {
        if (string.IsNullOrEmpty(channel))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Channel required", detail: $"Name the channel in the query string: ?channel=({string.Join('|', registry.Channels)}).");
        }

        var adapter = registry.Find(channel);
        if (adapter is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown channel", detail: $"No channel named '{Truncate(channel)}' is enabled on this server.");
        }

        var cancellationToken = context.RequestAborted;
        var results = new List<IngestionResult>();
        try
        {
            var messages = await adapter.ReadAsync(context.Request, cancellationToken).ConfigureAwait(false);
            foreach (var message in messages)
            {
                if (message.Channel != adapter.Channel)
                {
                    throw new InvalidOperationException($"Adapter {adapter.GetType().Name} for channel '{adapter.Channel}' produced a message for channel '{message.Channel}'.");
                }

                results.Add(await pipeline.IngestAsync(message, cancellationToken).ConfigureAwait(false));
            }

            if (results is [{ Outcome: not IngestionOutcome.Duplicate } stored])
            {
                // Where the stored ticket can be read (by agents): the Location a 201 should carry.
                context.Response.Headers.Location = context.RequestServices.GetRequiredService<LinkGenerator>()
                    .GetPathByName(context, "CrmTicketGet", new RouteValueDictionary { ["id"] = stored.Ticket.Id });
            }

            return adapter.CreateResponse(results);
        }
        catch (ChannelRequestException ex)
        {
            CountRejected(adapter.Channel, ex.StatusCode);
            return ex.Errors is { Count: > 0 }
                ? Results.ValidationProblem(ex.Errors.ToDictionary(), detail: ex.Detail, title: ex.Title, statusCode: ex.StatusCode)
                : Results.Problem(statusCode: ex.StatusCode, title: ex.Title, detail: ex.Detail);
        }
        catch (InvalidInboundMessageException ex)
        {
            return Results.ValidationProblem(ex.Errors.ToDictionary(), title: "Invalid message");
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own limits (MaxRequestBodySize) and truncated bodies surface here.
            CountRejected(adapter.Channel, ex.StatusCode);
            return Results.Problem(statusCode: ex.StatusCode, title: "Bad request", detail: ex.Message);
        }
        catch (JsonException ex)
        {
            // An integrator's adapter that reads JSON itself: a body that is not JSON is the sender's error.
            CountRejected(adapter.Channel, StatusCodes.Status400BadRequest);
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed request", detail: $"The body is not valid JSON ({JsonErrorLocation.Describe(ex)}).");
        }
        finally
        {
            // Files only the refused or duplicate parts of this request stored are deleted again.
            await DiscardUnkeptUploadsAsync(context, results.Where(r => r.Outcome != IngestionOutcome.Duplicate).SelectMany(r => r.Message.Attachments)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Counts a request an adapter refused (the pipeline counts the messages it finds invalid itself). The reason is
    /// named after the status, never taken from the request, so the metric's tags stay few.
    /// </summary>
    private static void CountRejected(string channel, int status) => CrmChannelsTelemetry.MessagesRejected.Add(1,
        new("crm.channel", channel),
        new("crm.reason", status switch
        {
            StatusCodes.Status400BadRequest => "malformed",
            StatusCodes.Status401Unauthorized => "unauthenticated",
            StatusCodes.Status403Forbidden => "forbidden",
            StatusCodes.Status409Conflict => "conflict",
            StatusCodes.Status413PayloadTooLarge => "too_large",
            StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
            StatusCodes.Status429TooManyRequests => "rate_limited",
            _ => "refused",
        }));

    private static Task DiscardUnkeptUploadsAsync(HttpContext context, IEnumerable<AttachmentInfo> kept)
        => RequestUploads.For(context).DiscardUnkeptAsync(
            context.RequestServices.GetRequiredService<IAttachmentStore>(), kept, context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Crm.Channels.Attachments"));

    private static async Task<IResult> ListAsync(string? channel, string? status, int? page, int? pageSize, ITicketQueryStore store, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        TicketStatus? statusFilter = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (TicketStatusNames.TryParse(status, out var parsed))
            {
                statusFilter = parsed;
            }
            else
            {
                errors["status"] = ["Use open, pending, solved or closed."];
            }
        }

        if (!string.IsNullOrEmpty(channel) && !ChannelName.IsValid(channel))
        {
            errors["channel"] = ["Not a channel name."];
        }

        if (page is < 1 or > MaxPage)
        {
            // Beyond this the row offset would overflow (and no inbox has that many pages).
            errors["page"] = [$"Pages are 1 to {MaxPage}."];
        }

        if (pageSize is < 1 or > MaxPageSize)
        {
            errors["pageSize"] = [$"Use 1 to {MaxPageSize}."];
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        var result = await store.ListTicketsAsync(new TicketQuery(NullIfEmpty(channel), statusFilter, page ?? 1, pageSize ?? 50), cancellationToken).ConfigureAwait(false);
        return Results.Ok(new TicketPageDto(result.Items.Select(TicketDto.From).ToList(), result.Page, result.PageSize, result.Total));
    }

    /// <summary>
    /// One ticket with a page of its messages: the latest <c>limit</c> (default 200), or those <c>before</c> a message,
    /// or only those stored <c>after</c> one. Answers carry an ETag: a poll that sends it back gets 304 until something changed.
    /// </summary>
    private static async Task<IResult> GetAsync(long id, long? before, long? after, int? limit, HttpContext context, ITicketStore store, LinkGenerator links, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxMessagesPerPage || (before is not null && after is not null))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"Use a limit of 1 to {MaxMessagesPerPage}, and before or after, not both."] });
        }

        var window = new MessageWindow(limit ?? MessageWindow.Latest.Limit) { BeforeMessageId = before, AfterMessageId = after };
        var details = await store.GetTicketDetailsAsync(id, window, cancellationToken).ConfigureAwait(false);
        if (details is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Ticket not found", detail: $"There is no ticket {id}.");
        }

        var dto = TicketDetailsDto.From(details, a => a.StorageKey is null
            ? null
            : links.GetPathByName(context, "CrmTicketAttachment", new RouteValueDictionary { ["id"] = id, ["key"] = a.StorageKey }));
        var body = JsonSerializer.SerializeToUtf8Bytes(dto, context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions);
        var etag = "\"" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body).AsSpan(0, 16)) + "\"";
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = "private, no-cache";
        return context.Request.Headers.IfNoneMatch.Contains(etag)
            ? Results.StatusCode(StatusCodes.Status304NotModified)
            : Results.Bytes(body, "application/json; charset=utf-8");
    }

    private static Task<IResult> AttachmentAsync(long id, string key, HttpContext context, ITicketStore store, IAttachmentStore attachments, CancellationToken cancellationToken) =>
        AttachmentDownloads.ServeAsync(id, key, context, store, attachments, cancellationToken);

    private static TicketReplyRequest ReplyFromForm(IReadOnlyDictionary<string, string> fields)
    {
        IReadOnlyDictionary<string, string>? variables = null;
        if (fields.GetValueOrDefault("contentVariables") is { Length: > 0 } json)
        {
            try
            {
                variables = JsonSerializer.Deserialize(json, EndpointsJsonContext.Default.IReadOnlyDictionaryStringString);
            }
            catch (JsonException)
            {
                throw ChannelRequestException.Invalid(new Dictionary<string, string[]> { ["contentVariables"] = ["Not a JSON object of strings."] });
            }
        }

        // A form's Cc is one field of comma-separated addresses; absent keeps the ticket's.
        IReadOnlyList<string>? cc = fields.TryGetValue("cc", out var copied) ? copied.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null;
        return new TicketReplyRequest(fields.GetValueOrDefault("text"), NullIfEmpty(fields.GetValueOrDefault("contentSid")), variables) { Cc = cc };
    }

    /// <summary>Checks a reply's text and template (the text may be empty when files go with it); answers the template.</summary>
    /// <exception cref="ChannelRequestException">400 with the errors.</exception>
    private static ReplyTemplate? ValidateReply(TicketReplyRequest? reply, bool hasFiles)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (reply is null || (!hasFiles && string.IsNullOrWhiteSpace(reply.Text)) || reply.Text?.Length > MaxReplyLength)
        {
            errors["text"] = [$"Write 1 to {MaxReplyLength} characters."];
        }

        ReplyTemplate? template = null;
        if (reply?.ContentSid is { } contentSid)
        {
            if (!ContentSidPattern().IsMatch(contentSid))
            {
                errors["contentSid"] = ["A Twilio Content SID is HX followed by 32 hex digits."];
            }

            var variables = reply.ContentVariables is null ? null : JsonSerializer.Serialize(reply.ContentVariables, EndpointsJsonContext.Default.IReadOnlyDictionaryStringString);
            if (variables is { Length: > 8192 })
            {
                errors["contentVariables"] = ["The template variables are longer than 8 KB."];
            }

            template = new ReplyTemplate(contentSid, variables);
        }
        else if (reply?.ContentVariables is not null)
        {
            errors["contentVariables"] = ["Template variables need a contentSid."];
        }

        if (CcErrors(reply?.Cc) is { } ccErrors)
        {
            errors["cc"] = ccErrors;
        }

        return errors.Count > 0 ? throw ChannelRequestException.Invalid(errors) : template;
    }

    private static async Task<IResult> UpdateStatusAsync(long id, TicketUpdateRequest? update, TicketStatusChanges statuses, CancellationToken cancellationToken)
    {
        if (update is null || !TicketStatusNames.TryParse(update.Status, out var status))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["Use open, pending, solved or closed."] });
        }

        var ticket = await statuses.SetAsync(id, status, cancellationToken).ConfigureAwait(false);
        return ticket is null
            ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Ticket not found", detail: $"There is no ticket {id}.")
            : Results.Ok(TicketDto.From(ticket));
    }

    private static async Task<IResult> ReplyAsync(
        long id, HttpContext context, TicketReplies replies, IAttachmentStore attachments, IOptions<AttachmentOptions> attachmentOptions, CancellationToken cancellationToken)
    {
        TicketReplyRequest? reply = null;
        ReplyTemplate? template = null;
        IReadOnlyList<AttachmentInfo> files = [];
        TicketMessage? queued = null;
        try
        {
            if (MultipartUpload.IsMultipart(context.Request))
            {
                // Files: the reply's own limits, not the server's default body limit.
                var limits = attachmentOptions.Value;
                if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
                {
                    bodySize.MaxRequestBodySize = limits.MaxMessageBytes + 1024 * 1024;
                }

                (_, files) = await MultipartUpload.ReadAsync(context.Request, attachments, new UploadLimits(limits.MaxReplyFiles, limits.MaxFileBytes, limits.MaxMessageBytes, null), fields =>
                {
                    reply = ReplyFromForm(fields);
                    template = ValidateReply(reply, hasFiles: true);
                    return ValueTask.FromResult<UploadRoom?>(null);
                }, cancellationToken).ConfigureAwait(false);
                if (files.Count == 0 && string.IsNullOrWhiteSpace(reply!.Text))
                {
                    throw ChannelRequestException.Invalid(new Dictionary<string, string[]> { ["text"] = [$"Write 1 to {MaxReplyLength} characters, or attach a file."] });
                }

                await RequireMailsAsync(files, attachments, cancellationToken).ConfigureAwait(false);
            }
            else if (RequestBody.HasMediaType(context.Request, "application/json"))
            {
                reply = await JsonSerializer.DeserializeAsync(context.Request.Body, EndpointsJsonContext.Default.TicketReplyRequest, cancellationToken).ConfigureAwait(false);
                template = ValidateReply(reply, hasFiles: false);
            }
            else
            {
                throw ChannelRequestException.UnsupportedMediaType("application/json, or multipart/form-data with files");
            }

            var cc = reply!.Cc?.Select(a => Crm.Contacts.ContactIdentity.NormalizeEmail(a)!).Distinct(StringComparer.Ordinal).ToList();
            var (kind, stored, reason) = await replies.QueueAsync(id, reply.Text?.Trim() ?? "", template, files, context.RequestServices.GetRequiredService<ReplyAuthor>().Of(context), cc, cancellationToken).ConfigureAwait(false);
            queued = stored;
            return kind switch
            {
                ReplyOutcomeKind.TicketNotFound => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Ticket not found", detail: $"There is no ticket {id}."),
                ReplyOutcomeKind.NoSender => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Channel cannot reply", detail: reason),
                ReplyOutcomeKind.Refused => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The channel cannot take this reply", detail: reason),
                _ => Results.Accepted(
                    context.RequestServices.GetRequiredService<LinkGenerator>().GetPathByName(context, "CrmTicketGet", new RouteValueDictionary { ["id"] = id }),
                    TicketMessageDto.From(stored!)),
            };
        }
        catch (ChannelRequestException ex)
        {
            return ex.Errors is { Count: > 0 }
                ? Results.ValidationProblem(ex.Errors.ToDictionary(), detail: ex.Detail, title: ex.Title, statusCode: ex.StatusCode)
                : Results.Problem(statusCode: ex.StatusCode, title: ex.Title, detail: ex.Detail);
        }
        catch (JsonException ex)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed request", detail: $"The body is not valid JSON for a reply ({JsonErrorLocation.Describe(ex)}).");
        }
        catch (BadHttpRequestException ex)
        {
            // The body passed the reply's size limit (413), or arrived cut short.
            return Results.Problem(statusCode: ex.StatusCode, title: ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request too large" : "Bad request", detail: ex.Message);
        }
        finally
        {
            await DiscardUnkeptUploadsAsync(context, queued?.Attachments ?? []).ConfigureAwait(false);
        }
    }

    /// <summary>The rule for the Cc of a reply or an agent-started email: at most as many valid addresses as a mail's Cc keeps.</summary>
    private static string[]? CcErrors(IReadOnlyList<string>? cc) =>
        cc is not null && (cc.Count > Crm.Channels.Email.EmailReader.MaxCc || cc.Any(a => Crm.Contacts.ContactIdentity.NormalizeEmail(a) is null))
            ? [$"Up to {Crm.Channels.Email.EmailReader.MaxCc} valid email addresses."]
            : null;

    /// <summary>The longest subject of an agent-started email (the ticket's tag is added to it).</summary>
    private const int MaxOutboundSubjectLength = 200;

    private static async Task<IResult> StartEmailAsync(HttpContext context, Crm.Channels.Email.OutboundEmails outbound, Crm.Channels.Email.EmailInboxes inboxes, CancellationToken cancellationToken)
    {
        if (!RequestBody.HasMediaType(context.Request, "application/json"))
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "Send application/json.");
        }

        // A mail of at most MaxReplyLength characters and a few addresses: the body is bounded well below the server's limit.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = 256 * 1024;
        }

        OutboundEmailRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(context.Request.Body, EndpointsJsonContext.Default.OutboundEmailRequest, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed request", detail: $"The body is not valid JSON for an email ({JsonErrorLocation.Describe(ex)}).");
        }
        catch (BadHttpRequestException ex)
        {
            return Results.Problem(statusCode: ex.StatusCode, title: ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request too large" : "Bad request", detail: ex.Message);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var inbox = request?.Inbox is null ? inboxes.Default : inboxes.Find(request.Inbox);
        if (inbox is null)
        {
            errors["inbox"] = [$"There is no inbox '{Truncate(request!.Inbox!)}'; use one of: {string.Join(", ", inboxes.All.Select(i => i.Name))}."];
        }

        var to = Crm.Contacts.ContactIdentity.NormalizeEmail(request?.To);
        if (to is null)
        {
            errors["to"] = ["A valid email address is required."];
        }
        else if (inboxes.Addresses.Contains(to))
        {
            errors["to"] = ["This is one of our own inboxes' addresses."];
        }

        var subject = request?.Subject?.Trim();
        if (string.IsNullOrEmpty(subject) || subject.Length > MaxOutboundSubjectLength || subject.Any(char.IsControl))
        {
            errors["subject"] = [$"Write 1 to {MaxOutboundSubjectLength} characters on one line."];
        }

        if (string.IsNullOrWhiteSpace(request?.Text) || request.Text.Length > MaxReplyLength)
        {
            errors["text"] = [$"Write 1 to {MaxReplyLength} characters."];
        }

        if (CcErrors(request?.Cc) is { } ccErrors)
        {
            errors["cc"] = ccErrors;
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        var author = context.RequestServices.GetRequiredService<ReplyAuthor>().Of(context);
        var copied = (request!.Cc ?? []).Select(a => Crm.Contacts.ContactIdentity.NormalizeEmail(a)!).Where(a => !inboxes.Addresses.Contains(a)).Distinct(StringComparer.Ordinal).ToList();
        var details = await outbound.StartAsync(inbox!, to!, copied, subject!, request!.Text!.Trim(), author, cancellationToken).ConfigureAwait(false);
        var location = context.RequestServices.GetRequiredService<LinkGenerator>().GetPathByName(context, "CrmTicketGet", new RouteValueDictionary { ["id"] = details.Ticket.Id });
        return Results.Created(location, TicketDetailsDto.From(details));
    }

    /// <summary>
    /// A file typed <c>message/rfc822</c> must be a mail: the email channel attaches it as one, and a file that is not
    /// would fail every send attempt. Checked here, so the agent hears it at once.
    /// </summary>
    private static async Task RequireMailsAsync(IReadOnlyList<AttachmentInfo> files, IAttachmentStore attachments, CancellationToken cancellationToken)
    {
        foreach (var file in files.Where(f => string.Equals(f.ContentType, "message/rfc822", StringComparison.OrdinalIgnoreCase) && f.StorageKey is not null))
        {
            await using var content = await attachments.OpenReadAsync(file.StorageKey!, cancellationToken).ConfigureAwait(false);
            if (content is null || !await IsMailAsync(content, cancellationToken).ConfigureAwait(false))
            {
                throw new ChannelRequestException(StatusCodes.Status415UnsupportedMediaType, "Not an email",
                    $"'{file.FileName}' is typed message/rfc822 but is not an email message; attach it with another type.");
            }
        }

        static async Task<bool> IsMailAsync(Stream content, CancellationToken cancellationToken)
        {
            try
            {
                var message = await MimeKit.MimeMessage.LoadAsync(content, cancellationToken).ConfigureAwait(false);
                return message.Headers.Count > 0 && (message.From.Count > 0 || message.Date != DateTimeOffset.MinValue || !string.IsNullOrEmpty(message.MessageId));
            }
            catch (FormatException)
            {
                return false;
            }
        }
    }

    [GeneratedRegex("^HX[0-9a-fA-F]{32}$")]
    private static partial Regex ContentSidPattern();

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
