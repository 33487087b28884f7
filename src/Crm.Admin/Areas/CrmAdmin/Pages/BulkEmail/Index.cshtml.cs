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
internal sealed class IndexModel(CampaignComposer composer, ICampaignStore campaigns, IContactDirectory contacts, TrackingBaseUrl trackingBaseUrl) : PageModel
{
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

        var segment = Audience == "segment"
            ? new SegmentCriteria
            {
                Tags = SegmentTags,
                Engagement = string.IsNullOrEmpty(EngagementEvent) ? null : [new EngagementCondition { Event = EngagementEvent, CampaignId = EngagementCampaign }],
            }
            : null;
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

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Tags = await contacts.ListTagsAsync(50, cancellationToken);
        Campaigns = await campaigns.ListAsync(1, 50, cancellationToken);
    }
}
