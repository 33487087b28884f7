using Crm.Admin.Routing;
using System.Globalization;
using System.Security.Claims;
using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Contacts;
using Crm.Campaigns.Endpoints;
using Crm.Campaigns.Segments;
using Crm.Campaigns.Sending;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Crm.Campaigns.Management;

namespace Crm.Admin.Pages.BulkEmail;

/// <summary>The campaign editor and the table of campaigns.</summary>
internal sealed class IndexModel(CampaignComposer composer, ICampaignStore campaigns, IContactDirectory contacts, TrackingBaseUrl trackingBaseUrl, IServiceProvider services) : PageModel
{
    /// <summary>The saved segment picked when <see cref="Audience"/> is <c>saved</c>.</summary>
    [BindProperty]
    public long? SavedSegmentId { get; set; }

    /// <summary>The name to save the editor's criteria under.</summary>
    [BindProperty]
    public string? SegmentName { get; set; }

    public IReadOnlyList<SavedSegment> SavedSegments { get; private set; } = [];

    private ISavedSegmentStore? SegmentStore => services.GetService<ISavedSegmentStore>();

    [BindProperty]
    public string? Subject { get; set; }

    [BindProperty]
    public string? Body { get; set; } = """
        <html><body>
        <h1>Hello {{ contact.name }}</h1>
        <p>Our autumn collection has arrived.</p>
        </body></html>
        """;

    [BindProperty]
    public string Audience { get; set; } = "all";

    [BindProperty]
    public List<string> SegmentTags { get; set; } = [];

    /// <summary>An engagement condition of the segment (<c>opened</c>, <c>not_opened</c>, …), with <see cref="EngagementCampaign"/>.</summary>
    [BindProperty]
    public string? EngagementEvent { get; set; }

    [BindProperty]
    public long? EngagementCampaign { get; set; }

    [BindProperty]
    public string? ScheduledAt { get; set; }

    [BindProperty]
    public string? ReplyTo { get; set; }

    // Ticked on a GET; on a POST the checkbox's "true" comes before its hidden "false", so a cleared box posts false.
    [BindProperty]
    public bool TrackOpens { get; set; } = true;

    [BindProperty]
    public bool TrackClicks { get; set; } = true;

    public string? Notice { get; private set; }

    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();

    public IReadOnlyList<(string Tag, int Contacts)> Tags { get; private set; } = [];

    public IReadOnlyList<Campaign> Campaigns { get; private set; } = [];

    public IEnumerable<string> ErrorsFor(string prefix) => Errors.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).SelectMany(e => e.Value);

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostSendAsync(CancellationToken cancellationToken)
    {
        SavedSegments = SegmentStore is { } store ? await store.ListAsync(cancellationToken) : [];
        if (Audience == "saved" && !SavedSegments.Any(s => s.Id == SavedSegmentId))
        {
            return await RefuseAsync(new Dictionary<string, string[]> { ["segment"] = ["Pick a saved segment."] }, cancellationToken);
        }

        var request = ToRequest(out var scheduleError);
        if (scheduleError is not null)
        {
            return await RefuseAsync(new Dictionary<string, string[]> { ["scheduledAt"] = [scheduleError] }, cancellationToken);
        }

        var (campaign, errors) = await composer.CreateAsync(request, trackingBaseUrl.For(Request), cancellationToken);
        return campaign is null ? await RefuseAsync(errors, cancellationToken) : RedirectToPage("/BulkEmail/Details", new { area = CrmAdminSite.Area, id = campaign.Id });
    }

    private async Task<IActionResult> RefuseAsync(IReadOnlyDictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        Errors = errors.ToDictionary();
        Response.StatusCode = StatusCodes.Status400BadRequest;
        await LoadAsync(cancellationToken);
        return Page();
    }

    /// <summary>Saves the editor's tags and engagement condition under <see cref="SegmentName"/>.</summary>
    public async Task<IActionResult> OnPostSaveSegmentAsync(CancellationToken cancellationToken)
    {
        var criteria = EditedSegment();
        var errors = new Dictionary<string, string[]>(criteria.Validate());
        var name = SegmentName?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > SavedSegment.MaxNameLength || name.Any(char.IsControl))
        {
            errors["segmentName"] = [$"Name the segment: 1 to {SavedSegment.MaxNameLength} characters."];
        }

        if (SegmentStore is not { } store)
        {
            return NotFound();
        }

        if (errors.Count == 0)
        {
            var saved = await store.CreateAsync(name!, criteria, User.Identity?.Name, DateTimeOffset.UtcNow, cancellationToken);
            if (saved is null)
            {
                errors["segmentName"] = [$"A segment named '{name}' exists already."];
            }
            else
            {
                Notice = $"Saved the segment '{saved.Name}'.";
                Audience = "saved";
                SavedSegmentId = saved.Id;
            }
        }

        if (errors.Count > 0)
        {
            return await RefuseAsync(errors, cancellationToken);
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostTestAsync(CancellationToken cancellationToken)
    {
        var email = User.FindFirstValue(ClaimTypes.Email);
        var request = ToRequest(out _);
        var errors = await composer.ValidateAsync(request with { Segment = null }, cancellationToken);
        if (errors.Count > 0 || email is null)
        {
            Errors = errors;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        else
        {
            try
            {
                await composer.SendTestAsync(request.Subject!, request.Body!, email, User.Identity?.Name, trackingBaseUrl.For(Request), cancellationToken);
                Notice = $"A test copy went to {email}.";
            }
            catch (CampaignSendException ex)
            {
                Notice = "The test could not be sent: " + ex.Message;
            }
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    private CreateCampaignRequest ToRequest(out string? scheduleError)
    {
        scheduleError = null;
        DateTimeOffset? scheduledAt = null;
        if (!string.IsNullOrWhiteSpace(ScheduledAt))
        {
            if (DateTime.TryParse(ScheduledAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                scheduledAt = new DateTimeOffset(parsed, TimeSpan.Zero);
            }
            else
            {
                scheduleError = "Not a date and time.";
            }
        }

        var segment = Audience switch
        {
            "segment" => EditedSegment(),
            "saved" => SavedSegments.FirstOrDefault(s => s.Id == SavedSegmentId)?.Segment,
            _ => null,
        };
        return new CreateCampaignRequest
        {
            Subject = Subject,
            Body = Body,
            Segment = segment,
            ScheduledAt = scheduledAt,
            ReplyTo = string.IsNullOrWhiteSpace(ReplyTo) ? null : ReplyTo.Trim(),
            TrackOpens = TrackOpens,
            TrackClicks = TrackClicks,
        };
    }

    /// <summary>The tags and engagement condition as picked in the editor.</summary>
    private SegmentCriteria EditedSegment() => new()
    {
        Tags = SegmentTags,
        Engagement = string.IsNullOrEmpty(EngagementEvent) ? null : [new EngagementCondition { Event = EngagementEvent, CampaignId = EngagementCampaign }],
    };

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        SavedSegments = SegmentStore is { } store ? await store.ListAsync(cancellationToken) : [];
        Tags = await contacts.ListTagsAsync(50, cancellationToken);
        Campaigns = await campaigns.ListAsync(1, 50, cancellationToken);
    }
}
