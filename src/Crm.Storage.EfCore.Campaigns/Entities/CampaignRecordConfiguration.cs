using Crm.Storage.EfCore.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Storage.EfCore.Campaigns.Entities;

/// <summary>Maps <see cref="CampaignRecord"/> to <c>bulk_email_campaigns</c>.</summary>
internal sealed class CampaignRecordConfiguration : IEntityTypeConfiguration<CampaignRecord>
{
    public void Configure(EntityTypeBuilder<CampaignRecord> campaign)
    {
        campaign.ToTable("bulk_email_campaigns");
        campaign.HasKey(c => c.Id);
        campaign.Property(c => c.Id).HasColumnName("id");
        campaign.Property(c => c.Subject).HasColumnName("subject").HasMaxLength(255).IsRequired();
        campaign.Property(c => c.Body).HasColumnName("body").IsRequired();
        campaign.Property(c => c.SegmentCriteria).HasColumnName("segment_criteria").IsRequired();
        campaign.Property(c => c.Status).HasConversion(new LowerCaseEnumConverter<CampaignRowStatus>()).HasColumnName("status").HasMaxLength(16).IsRequired();
        campaign.Property(c => c.PauseReason).HasColumnName("pause_reason").HasMaxLength(1024);
        campaign.Property(c => c.LastError).HasColumnName("last_error").HasMaxLength(1024);
        campaign.Property(c => c.LastErrorAt).HasColumnName("last_error_at");
        campaign.Property(c => c.TraceParent).HasColumnName("trace_parent").HasMaxLength(55);
        campaign.Property(c => c.CreatedAt).HasColumnName("created_at");
        campaign.Property(c => c.ScheduledAt).HasColumnName("scheduled_at");
        campaign.Property(c => c.LaunchedAt).HasColumnName("launched_at");
        campaign.Property(c => c.CompletedAt).HasColumnName("completed_at");
        campaign.Property(c => c.FromAddress).HasColumnName("from_address").HasMaxLength(320).IsRequired();
        campaign.Property(c => c.FromName).HasColumnName("from_name").HasMaxLength(128);
        campaign.Property(c => c.TrackingBaseUrl).HasColumnName("tracking_base_url").HasMaxLength(2048).IsRequired();
        campaign.Property(c => c.RecipientCount).HasColumnName("recipient_count");
        campaign.Property(c => c.SentCount).HasColumnName("sent_count");
        campaign.Property(c => c.FailedCount).HasColumnName("failed_count");
        campaign.Property(c => c.SkippedCount).HasColumnName("skipped_count");
        campaign.Property(c => c.OpenCount).HasColumnName("open_count");
        campaign.Property(c => c.TotalOpens).HasColumnName("total_opens");
        campaign.Property(c => c.UnsubscribeCount).HasColumnName("unsubscribe_count");
        campaign.Property(c => c.ReplyTo).HasColumnName("reply_to").HasMaxLength(320);
        campaign.Property(c => c.TrackOpens).HasColumnName("track_opens").HasDefaultValue(true).HasSentinel(true);
        campaign.Property(c => c.TrackClicks).HasColumnName("track_clicks").HasDefaultValue(true).HasSentinel(true);
        campaign.Property(c => c.LinksJson).HasColumnName("links");
        campaign.Property(c => c.ClickCount).HasColumnName("click_count");
        campaign.Property(c => c.TotalClicks).HasColumnName("total_clicks");
        campaign.Property(c => c.MachineOpens).HasColumnName("machine_opens");
        campaign.Property(c => c.BounceCount).HasColumnName("bounce_count");
        campaign.Property(c => c.ComplaintCount).HasColumnName("complaint_count");
        campaign.HasIndex(c => new { c.Status, c.ScheduledAt }).HasDatabaseName("ix_bulk_email_campaigns_status_scheduled");
    }
}
