using Crm.Campaigns.Campaigns;

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

    // Resolved from AddBulkEmail(): the dispatcher's wake-up is not part of the public API.
    internal CampaignControl(ICampaignStore store, DispatcherSignal signal, TimeProvider time)
    {
        _store = store;
        _signal = signal;
        _time = time;
    }

    /// <summary>Applies <paramref name="command"/>; <paramref name="actor"/> names who paused, in the pause reason.</summary>
    /// <returns>The campaign after the change, or null when there is none.</returns>
    /// <exception cref="InvalidCampaignTransitionException">The campaign's status does not allow it (answered 409).</exception>
    public async Task<Campaign?> ApplyAsync(long campaignId, CampaignCommand command, string? actor, CancellationToken cancellationToken)
    {
        var reason = command == CampaignCommand.Pause ? $"Paused by {actor ?? "a person"}." : null;
        var campaign = await _store.TransitionAsync(campaignId, command, reason, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (campaign is not null && command == CampaignCommand.Resume)
        {
            _signal.Wake();
        }

        return campaign;
    }
}
