using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Segments;

namespace Crm.Campaigns.Tests;

public sealed class SegmentAndTransitionTests
{
    [Fact]
    public void Empty_criteria_are_valid_and_mean_everyone() => Assert.Empty(SegmentCriteria.All.Validate());

    [Fact]
    public void Each_invalid_field_is_named()
    {
        var errors = new SegmentCriteria
        {
            Tags = ["ok", " padded", new string('x', 65)],
            Attributes = new Dictionary<string, string> { ["city"] = "Berlin", ["drop table;"] = "x", ["note"] = new string('y', 1025) },
            CreatedAfter = new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero),
            CreatedBefore = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
        }.Validate();

        Assert.Equal(["segment.attributes.drop table;", "segment.attributes.note", "segment.createdBefore", "segment.tags[1]", "segment.tags[2]"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(CampaignStatus.Sending, CampaignCommand.Pause, CampaignStatus.Paused)]
    [InlineData(CampaignStatus.Scheduled, CampaignCommand.Pause, CampaignStatus.Paused)]
    [InlineData(CampaignStatus.Paused, CampaignCommand.Resume, CampaignStatus.Sending)]
    [InlineData(CampaignStatus.Paused, CampaignCommand.Cancel, CampaignStatus.Cancelled)]
    [InlineData(CampaignStatus.Sending, CampaignCommand.Cancel, CampaignStatus.Cancelled)]
    [InlineData(CampaignStatus.Cancelled, CampaignCommand.Cancel, CampaignStatus.Cancelled)]
    [InlineData(CampaignStatus.Completed, CampaignCommand.Resume, null)]
    [InlineData(CampaignStatus.Completed, CampaignCommand.Cancel, null)]
    [InlineData(CampaignStatus.Cancelled, CampaignCommand.Resume, null)]
    [InlineData(CampaignStatus.Completed, CampaignCommand.Pause, null)]
    public void Transitions_follow_the_lifecycle(CampaignStatus from, CampaignCommand command, CampaignStatus? to)
        => Assert.Equal(to, CampaignTransitions.Apply(from, command));
}
