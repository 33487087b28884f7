namespace Crm.Campaigns;

/// <summary>
/// What one rendering of a campaign template may use. A template that exceeds a limit is refused when the campaign
/// is created or previewed (it is rendered once for a sample contact), and at send time fails only the recipient
/// whose data made it exceed.
/// </summary>
/// <param name="MaxSteps">Liquid statements executed, loop iterations included.</param>
/// <param name="MaxOutputLength">Characters of rendered output, and of any one value a template builds (assign, capture, filters).</param>
/// <param name="MaxRangeLength">Elements of a <c>(from..to)</c> range.</param>
/// <param name="Timeout">Wall-clock time of one rendering.</param>
public sealed record TemplateLimits(int MaxSteps, int MaxOutputLength, int MaxRangeLength, TimeSpan Timeout)
{
    /// <summary>100,000 steps, 1,000,000 characters, ranges of 10,000, one second.</summary>
    public static TemplateLimits Default { get; } = new(100_000, 1_000_000, 10_000, TimeSpan.FromSeconds(1));
}
