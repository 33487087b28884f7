using Crm.Campaigns.Campaigns;
using Crm.Events;

namespace Crm.Campaigns.Management;

/// <summary>
/// Pause, resume and cancel: the status change and the dispatcher's wake-up in one place, used by the API and any
/// admin UI alike, so a resumed campaign starts sending at once whoever resumed it.
/// </summary>
public sealed class CampaignControl
{
    private readonly ICampaignStore _store;
    private readonly DispatcherSignal _signal;
    private readonly TimeProvider _time;
    private readonly CrmEventPublisher _events;

    // Resolved from AddBulkEmail(): the dispatcher's wake-up and the event publisher are not part of the public API.
    internal CampaignControl(ICampaignStore store, DispatcherSignal signal, TimeProvider time, CrmEventPublisher events)
    {
        _store = store;
        _signal = signal;
        _time = time;
        _events = events;
    }

    /// <summary>Applies <paramref name="command"/>; <paramref name="actor"/> names who paused, in the pause reason.</summary>
    /// <returns>The campaign after the change, or null when there is none.</returns>
    /// <exception cref="InvalidCampaignTransitionException">The campaign's status does not allow it (answered 409).</exception>
    public async Task<Campaign?> ApplyAsync(long campaignId, CampaignCommand command, string? actor, CancellationToken cancellationToken)
    {
        var reason = command == CampaignCommand.Pause ? $"Paused by {actor ?? "a person"}." : null;
        var before = await _store.GetAsync(campaignId, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var campaign = await _store.TransitionAsync(campaignId, command, reason, now, cancellationToken).ConfigureAwait(false);
        if (campaign is not null && command == CampaignCommand.Resume)
        {
            _signal.Wake();
        }

        // Published once per change: pausing a paused campaign (or cancelling a cancelled one) changes nothing.
        if (campaign is not null && before?.Status != campaign.Status)
        {
            if (campaign.Status == CampaignStatus.Paused)
            {
                await _events.PublishAsync(new CampaignPausedEvent(campaign.Id, campaign.PauseReason) { Timestamp = now }, cancellationToken).ConfigureAwait(false);
            }
            else if (campaign.Status == CampaignStatus.Cancelled)
            {
                await _events.PublishAsync(new CampaignCancelledEvent(campaign.Id) { Timestamp = now }, cancellationToken).ConfigureAwait(false);
            }
        }

        return campaign;
    }
}
