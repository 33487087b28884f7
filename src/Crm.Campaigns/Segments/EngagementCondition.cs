using System.Text.Json.Serialization;

namespace Crm.Campaigns.Segments;

/// <summary>
/// What a contact did with our campaigns: received, opened or clicked one (or did not), for a given campaign or any
/// campaign sent in the last days. Opens are people's opens: machine opens (mail scanners, privacy proxies, an open
/// within seconds of the send) never count. Stores compile it to parameterised SQL over the send ledger.
/// </summary>
public sealed record EngagementCondition
{
    /// <summary>The events a condition names.</summary>
    public static IReadOnlyList<string> Events { get; } = ["received", "not_received", "opened", "not_opened", "clicked", "not_clicked"];

    /// <summary><c>received</c>, <c>opened</c>, <c>clicked</c>, or one of them with <c>not_</c> before it.</summary>
    [JsonPropertyName("event")]
    public string? Event { get; init; }

    /// <summary>The campaign it is about; unset: any campaign (within <see cref="WithinDays"/> when set).</summary>
    [JsonPropertyName("campaignId")]
    public long? CampaignId { get; init; }

    /// <summary>Only campaigns sent to the contact in the last this many days.</summary>
    [JsonPropertyName("withinDays")]
    public int? WithinDays { get; init; }

    /// <summary>Clicks only: the link (its index in the campaign's body, as <c>links</c> lists them) that was clicked.</summary>
    [JsonPropertyName("link")]
    public int? Link { get; init; }

    /// <summary>True for the <c>not_</c> events: the contact has no such engagement.</summary>
    [JsonIgnore]
    public bool IsNegated => Event?.StartsWith("not_", StringComparison.Ordinal) == true;

    /// <summary>What the contact must have done (or not): <c>received</c>, <c>opened</c> or <c>clicked</c>.</summary>
    [JsonIgnore]
    public string Action => IsNegated ? Event![4..] : Event ?? "";

    /// <summary>The problems with this condition under <paramref name="path"/>; empty when valid.</summary>
    internal IEnumerable<(string Field, string Error)> Problems(string path)
    {
        if (Event is null || !Events.Contains(Event))
        {
            yield return ($"{path}.event", $"Use one of: {string.Join(", ", Events)}.");
        }

        if (CampaignId is <= 0)
        {
            yield return ($"{path}.campaignId", "A campaign id is a positive number.");
        }

        if (WithinDays is < 1 or > 3650)
        {
            yield return ($"{path}.withinDays", "withinDays is 1 to 3650.");
        }

        if (Link is { } link && (link < 0 || Action != "clicked" || CampaignId is null))
        {
            yield return ($"{path}.link", "A link is a click on one campaign's link: a non-negative index with clicked or not_clicked and a campaignId.");
        }
    }
}
