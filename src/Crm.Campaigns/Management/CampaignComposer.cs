using Crm.Campaigns.Tracking;
using Crm.Campaigns.Texts;
using Crm.Campaigns.Rendering;
using Crm.Campaigns.Segments;
using Crm.Campaigns.Sending;
using Microsoft.Extensions.Options;
using Crm.Mail;
using MimeKit;
using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Diagnostics;

namespace Crm.Campaigns.Management;

/// <summary>
/// Validates and creates campaigns, renders previews and sends test messages: the one place the API and any
/// admin UI go through, so both apply the same rules.
/// </summary>
public sealed class CampaignComposer
{
    private static readonly IReadOnlyDictionary<string, string> SampleAttributes = new Dictionary<string, string> { ["city"] = "Lisbon", ["plan"] = "Gold" };

    // A form filled in a minute ago still means "now"; further back is a mistake, and more than a year ahead is one too.
    private static readonly TimeSpan ScheduleTolerance = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxScheduleAhead = TimeSpan.FromDays(366);

    private readonly ICampaignStore _store;
    private readonly ICampaignSender _sender;
    private readonly DkimMessageSigner? _dkim;
    private readonly DispatcherSignal _signal;
    private readonly TimeProvider _time;
    private readonly BulkEmailOptions _options;
    private readonly TrackingOptions _tracking;
    private readonly RecipientTexts _texts;

    /// <summary>Creates the composer.</summary>
    internal CampaignComposer(ICampaignStore store, ICampaignSender sender, DispatcherSignal signal, TimeProvider time, IOptions<BulkEmailOptions> options, IOptions<TrackingOptions> tracking, IOptions<RecipientTexts> texts)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(texts);
        _texts = texts.Value;
        _store = store;
        _sender = sender;
        _signal = signal;
        _time = time;
        _options = options.Value;
        ArgumentNullException.ThrowIfNull(tracking);
        _tracking = tracking.Value;
        _dkim = _options.Dkim.CreateSigner();
    }

    /// <summary>
    /// The problems with a campaign request, per field; empty when it can be created. The templates are rendered
    /// once for a sample contact under the template limits, so one that cannot finish is refused here, not at send time.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string[]>> ValidateAsync(CreateCampaignRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(request.Subject))
        {
            errors["subject"] = ["The subject is required."];
        }
        else if (request.Subject.Length > 255)
        {
            errors["subject"] = ["The subject is longer than 255 characters."];
        }

        if (string.IsNullOrWhiteSpace(request.Body))
        {
            errors["body"] = ["The body is required."];
        }
        else if (request.Body.Length > _options.MaxBodyLength)
        {
            errors["body"] = [$"The body is longer than {_options.MaxBodyLength} characters."];
        }
        else if (TrackedLinks.FindUnsafe(request.Body) is { } unsafeLink)
        {
            // A line break in a link would go into the Location header of every click on it.
            errors["body"] = [$"A link contains a control character (a line break?): {unsafeLink}"];
        }

        foreach (var (field, messages) in (request.Segment ?? SegmentCriteria.All).Validate())
        {
            errors[field] = messages;
        }

        if (request.ScheduledAt is { } scheduledAt)
        {
            var now = _time.GetUtcNow();
            if (scheduledAt < now - ScheduleTolerance)
            {
                errors["scheduledAt"] = ["The time is in the past; leave it out to send now."];
            }
            else if (scheduledAt > now + MaxScheduleAhead)
            {
                errors["scheduledAt"] = ["Campaigns can be scheduled at most a year ahead."];
            }
        }

        if (request.FromAddress is not null)
        {
            var fromAddress = Crm.Contacts.ContactIdentity.NormalizeEmail(request.FromAddress);
            if (fromAddress is null)
            {
                errors["fromAddress"] = ["The sender address is not valid."];
            }
            else if (!_options.AllowsSenderDomain(fromAddress[(fromAddress.LastIndexOf('@') + 1)..]))
            {
                // Anyone who may run campaigns must not be able to send as any domain: only the ones the operator allows (and signs for).
                errors["fromAddress"] = [$"The sender's domain is not allowed; allowed: {string.Join(", ", _options.SenderDomains)}."];
            }
        }

        if (request.ReplyTo is not null && Crm.Contacts.ContactIdentity.NormalizeEmail(request.ReplyTo) is null)
        {
            errors["replyTo"] = ["The reply address is not valid."];
        }

        if (request.FromName is { Length: > 128 } || request.FromName?.IndexOfAny(['\r', '\n']) >= 0)
        {
            errors["fromName"] = ["The sender name is one line of at most 128 characters."];
        }

        if (!errors.ContainsKey("subject") && !errors.ContainsKey("body"))
        {
            var (_, templateErrors) = await PreviewAsync(request.Subject!, request.Body!, "https://crm.invalid", cancellationToken).ConfigureAwait(false);
            foreach (var (field, messages) in templateErrors)
            {
                errors[field] = messages;
            }
        }

        return errors;
    }

    /// <summary>
    /// Validates the campaign (once: the checks, and a sample rendering under the template limits) and, when it is valid,
    /// creates it to send now or at its <c>scheduledAt</c> and wakes the dispatcher.
    /// </summary>
    /// <param name="request">The campaign.</param>
    /// <param name="trackingBaseUrl">Where the tracking endpoints live (<see cref="Endpoints.TrackingBaseUrl"/>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The campaign, or (with a null campaign) per field what is wrong.</returns>
    public async Task<(Campaign? Campaign, IReadOnlyDictionary<string, string[]> Errors)> CreateAsync(CreateCampaignRequest request, string trackingBaseUrl, CancellationToken cancellationToken)
    {
        var errors = await ValidateAsync(request, cancellationToken).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var now = _time.GetUtcNow();
        var scheduledLater = request.ScheduledAt is { } at && at > now;
        var trackClicks = _tracking.TrackClicks && request.TrackClicks != false;
        // The campaign's one span, in the trace of whoever created it; the batches that send it, whenever and wherever
        // they run, are traces of their own that link here (a campaign of 40,000 is a few hundred batch traces, not
        // 40,000 unrelated roots).
        using var activity = CrmCampaignsTelemetry.ActivitySource.StartActivity(CrmCampaignsTelemetry.CampaignSpan);
        activity?.SetTag("crm.scheduled", scheduledLater);
        var campaign = await _store.CreateAsync(
            new NewCampaign(request.Subject!, request.Body!, request.Segment ?? SegmentCriteria.All, scheduledLater ? request.ScheduledAt : now,
                request.FromAddress ?? _options.FromAddress!, request.FromName ?? _options.FromName, trackingBaseUrl, now)
            {
                ReplyTo = request.ReplyTo is null ? null : Crm.Contacts.ContactIdentity.NormalizeEmail(request.ReplyTo),
                TrackOpens = _tracking.TrackOpens && request.TrackOpens != false,
                TrackClicks = trackClicks,
                Links = trackClicks ? TrackedLinks.Find(request.Body!) : [],
                TraceParent = activity?.Id,
            },
            cancellationToken).ConfigureAwait(false);
        activity?.SetTag("crm.campaign_id", campaign.Id);
        // Sending now: start at once; scheduled: idle dispatchers sleep until its time, so they learn of it now.
        _signal.Wake();

        return (campaign, errors);
    }

    /// <summary>
    /// Creates the follow-up of a completed campaign: the same body, sender and tracking with a new subject, to its
    /// recipients who did not open it (people's opens; a scanner's do not count) and are still subscribed when it
    /// launches (so whoever unsubscribed, bounced or complained since is left out).
    /// </summary>
    /// <param name="campaignId">The completed campaign.</param>
    /// <param name="subject">The follow-up's subject (Liquid).</param>
    /// <param name="scheduledAt">When to send it; now when unset or past.</param>
    /// <param name="trackingBaseUrl">Where the tracking endpoints live.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The follow-up; or null with <paramref name="campaignId"/>'s problem: not found (no errors) or not completed (the reason), or the errors of the request.</returns>
    public async Task<(Campaign? Campaign, Campaign? Original, IReadOnlyDictionary<string, string[]> Errors)> ResendToNonOpenersAsync(
        long campaignId, string? subject, DateTimeOffset? scheduledAt, string trackingBaseUrl, CancellationToken cancellationToken)
    {
        var original = await _store.GetAsync(campaignId, cancellationToken).ConfigureAwait(false);
        if (original is null || original.Status != CampaignStatus.Completed)
        {
            return (null, original, new Dictionary<string, string[]>());
        }

        var request = new CreateCampaignRequest
        {
            Subject = subject,
            Body = original.Body,
            Segment = NonOpenersOf(campaignId),
            ScheduledAt = scheduledAt,
            FromAddress = original.FromAddress,
            FromName = original.FromName,
            ReplyTo = original.ReplyTo,
            TrackOpens = original.TrackOpens,
            TrackClicks = original.TrackClicks,
        };
        var (campaign, errors) = await CreateAsync(request, trackingBaseUrl, cancellationToken).ConfigureAwait(false);
        return (campaign, original, errors);
    }

    /// <summary>Who received the campaign and did not open it: the segment of its resend.</summary>
    public static SegmentCriteria NonOpenersOf(long campaignId) => new()
    {
        Engagement =
        [
            new EngagementCondition { Event = "received", CampaignId = campaignId },
            new EngagementCondition { Event = "not_opened", CampaignId = campaignId },
        ],
    };

    /// <summary>Renders the campaign for a sample contact (Alex Example in Lisbon), for a live preview.</summary>
    /// <returns>The message, or per field why the templates do not parse or cannot be rendered within the limits.</returns>
    public async Task<(MimeMessage? Message, IReadOnlyDictionary<string, string[]> Errors)> PreviewAsync(string subject, string body, string trackingBaseUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(body);
        if (!CampaignTemplate.TryParse(subject, body, out _, out var errors, _options.TemplateLimits, _time))
        {
            return (null, errors);
        }

        try
        {
            var sample = new ClaimedRecipient(0, 0, 0, "alex@example.com", "Alex Example", SampleAttributes, 0);
            return (await RenderAsync(subject, body, sample, trackingBaseUrl, cancellationToken).ConfigureAwait(false), new Dictionary<string, string[]>());
        }
        catch (TemplateRenderException ex)
        {
            return (null, new Dictionary<string, string[]> { [ex.Field] = [ex.Message] });
        }
    }

    /// <summary>
    /// Sends one copy to <paramref name="email"/> (a "send test to me"). It is not in any ledger: its links carry
    /// no valid recipient, so opening it counts nothing.
    /// </summary>
    /// <exception cref="FormatException">The templates do not parse.</exception>
    /// <exception cref="TemplateRenderException">They cannot be rendered within the limits.</exception>
    /// <exception cref="CampaignSendException">The transport refused it.</exception>
    public async Task SendTestAsync(string subject, string body, string email, string? name, string trackingBaseUrl, CancellationToken cancellationToken)
    {
        var message = await RenderAsync(subject, body, new ClaimedRecipient(0, 0, 0, email, name, SampleAttributes, 0), trackingBaseUrl, cancellationToken).ConfigureAwait(false);
        message.Subject = "[Test] " + message.Subject;
        _dkim?.Sign(message);
        await _sender.SendAsync(message, envelopeFrom: null, cancellationToken).ConfigureAwait(false);
    }

    private async Task<MimeMessage> RenderAsync(string subject, string body, ClaimedRecipient recipient, string trackingBaseUrl, CancellationToken cancellationToken)
    {
        var template = CampaignTemplate.Parse(subject, body, _options.TemplateLimits, _time);
        var now = _time.GetUtcNow();
        var campaign = new Campaign(0, subject, body, SegmentCriteria.All, CampaignStatus.Scheduled, now, null, null, null,
            _options.FromAddress!, _options.FromName, trackingBaseUrl, new CampaignStats(0, 0, 0, 0, 0, 0));
        var links = CampaignMessageBuilder.LinksFor(campaign.TrackingBaseUrl, 0, "0.preview", _options.UnsubscribeMailbox ?? campaign.FromAddress);
        return await CampaignMessageBuilder.BuildAsync(campaign, template, recipient, links, now, _options.ListId, _texts, cancellationToken).ConfigureAwait(false);
    }
}
