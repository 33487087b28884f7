namespace Crm.Campaigns.Tracking;

/// <summary>One load of a recipient's tracking pixel.</summary>
/// <param name="CampaignId">The campaign the token was signed for.</param>
/// <param name="RecipientId">The recipient it names.</param>
/// <param name="At">When the pixel was loaded.</param>
public sealed record OpenEvent(long CampaignId, long RecipientId, DateTimeOffset At);
