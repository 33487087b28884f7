namespace Crm.Campaigns.Tracking;

/// <summary>One load of a recipient's tracking pixel.</summary>
/// <param name="CampaignId">The campaign the token was signed for.</param>
/// <param name="RecipientId">The recipient it names.</param>
/// <param name="At">When the pixel was loaded.</param>
public sealed record OpenEvent(long CampaignId, long RecipientId, DateTimeOffset At)
{
    /// <summary>
    /// True when the request looked automatic (see <see cref="MachineOpens"/>); the store also counts an open within
    /// seconds of the send as a machine's.
    /// </summary>
    public bool Machine { get; init; }
}
