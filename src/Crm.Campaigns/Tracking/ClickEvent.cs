namespace Crm.Campaigns.Tracking;

/// <summary>One click on a tracked link.</summary>
/// <param name="CampaignId">The campaign the token was signed for.</param>
/// <param name="RecipientId">The recipient it names.</param>
/// <param name="LinkIndex">Which of the campaign's links (<see cref="Campaigns.Campaign.Links"/>).</param>
/// <param name="At">When.</param>
public sealed record ClickEvent(long CampaignId, long RecipientId, int LinkIndex, DateTimeOffset At);

/// <summary>The clicks on one link of a campaign.</summary>
/// <param name="Index">The link's index.</param>
/// <param name="Url">Where it goes.</param>
/// <param name="UniqueClicks">Recipients who clicked it.</param>
/// <param name="TotalClicks">Every click on it.</param>
public sealed record LinkClicks(int Index, string Url, int UniqueClicks, int TotalClicks);
