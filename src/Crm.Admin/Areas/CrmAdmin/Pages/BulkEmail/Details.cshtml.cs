using Crm.Admin.Routing;
using Crm.Campaigns.Campaigns;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Crm.Campaigns.Management;
using Crm.Campaigns.Tracking;

namespace Crm.Admin.Pages.BulkEmail;

/// <summary>One campaign: live progress, stats, opens over time, and pause/resume/cancel.</summary>
internal sealed class DetailsModel(ICampaignStore campaigns, ITrackingStore tracking, CampaignControl control, CampaignComposer composer, Crm.Campaigns.Endpoints.TrackingBaseUrl trackingBaseUrl) : PageModel
{
    /// <summary>The follow-up's subject (resend to non-openers).</summary>
    [BindProperty]
    public string? ResendSubject { get; set; }

    public IReadOnlyList<(int Index, int UniqueClicks, int TotalClicks)> LinkClicks { get; private set; } = [];

    public Campaign? Campaign { get; private set; }

    public IReadOnlyList<(DateTimeOffset Start, int Count)> OpenBuckets { get; private set; } = [];

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        Campaign = await campaigns.GetAsync(id, cancellationToken);
        if (Campaign is null)
        {
            return NotFound();
        }

        OpenBuckets = Bucket(await campaigns.GetFirstOpensAsync(id, 50_000, cancellationToken));
        LinkClicks = await tracking.GetLinkClicksAsync(id, cancellationToken);
        return Page();
    }

    /// <summary>A follow-up with a new subject to the recipients who did not open (people) and are still subscribed.</summary>
    public async Task<IActionResult> OnPostResendAsync(long id, CancellationToken cancellationToken)
    {
        var (followUp, original, errors) = await composer.ResendToNonOpenersAsync(id, ResendSubject, null, trackingBaseUrl.For(Request), cancellationToken);
        if (followUp is not null)
        {
            return RedirectToPage("/BulkEmail/Details", new { area = CrmAdminSite.Area, id = followUp.Id });
        }

        if (original is null)
        {
            return NotFound();
        }

        Error = errors.Count > 0 ? string.Join(" ", errors.SelectMany(e => e.Value)) : "Only a completed campaign can be sent again to its non-openers.";
        Response.StatusCode = errors.Count > 0 ? StatusCodes.Status400BadRequest : StatusCodes.Status409Conflict;
        return await OnGetAsync(id, cancellationToken);
    }

    public Task<IActionResult> OnPostPauseAsync(long id, CancellationToken cancellationToken) => TransitionAsync(id, CampaignCommand.Pause, cancellationToken);

    public Task<IActionResult> OnPostResumeAsync(long id, CancellationToken cancellationToken) => TransitionAsync(id, CampaignCommand.Resume, cancellationToken);

    public Task<IActionResult> OnPostCancelAsync(long id, CancellationToken cancellationToken) => TransitionAsync(id, CampaignCommand.Cancel, cancellationToken);

    private async Task<IActionResult> TransitionAsync(long id, CampaignCommand command, CancellationToken cancellationToken)
    {
        try
        {
            if (await control.ApplyAsync(id, command, User.Identity?.Name, cancellationToken) is null)
            {
                return NotFound();
            }

            return RedirectToPage("/BulkEmail/Details", new { area = CrmAdminSite.Area, id });
        }
        catch (InvalidCampaignTransitionException ex)
        {
            Error = ex.Message;
            Response.StatusCode = StatusCodes.Status409Conflict;
            return await OnGetAsync(id, cancellationToken);
        }
    }

    /// <summary>24 equal time buckets from the first open (at least a minute each).</summary>
    private static List<(DateTimeOffset Start, int Count)> Bucket(IReadOnlyList<DateTimeOffset> opens)
    {
        if (opens.Count == 0)
        {
            return [];
        }

        var first = opens[0];
        var span = opens[^1] - first;
        var size = span < TimeSpan.FromMinutes(DetailsModelBuckets.Count) ? TimeSpan.FromMinutes(1) : TimeSpan.FromTicks(span.Ticks / DetailsModelBuckets.Count + 1);
        var buckets = DetailsModelBuckets.Count;
        var counts = new int[buckets];
        foreach (var open in opens)
        {
            counts[Math.Min(buckets - 1, (int)((open - first).Ticks / size.Ticks))]++;
        }

        return counts.Select((count, i) => (first + size * i, count)).ToList();
    }
}

/// <summary>How many time slots the opens chart has.</summary>
internal static class DetailsModelBuckets
{
    public const int Count = 24;
}
