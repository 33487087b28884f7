using Crm.Storage.EfCore.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Storage.EfCore.Campaigns.Entities;

/// <summary>Maps <see cref="CampaignRecipientRecord"/> to <c>campaign_recipients</c>.</summary>
internal sealed class CampaignRecipientRecordConfiguration : IEntityTypeConfiguration<CampaignRecipientRecord>
{
    public void Configure(EntityTypeBuilder<CampaignRecipientRecord> recipient)
    {
        recipient.ToTable("campaign_recipients");
        recipient.HasKey(r => r.Id);
        recipient.Property(r => r.Id).HasColumnName("id");
        recipient.Property(r => r.CampaignId).HasColumnName("campaign_id");
        recipient.Property(r => r.ContactId).HasColumnName("contact_id");
        recipient.Property(r => r.Email).HasColumnName("email").HasMaxLength(320).IsRequired();
        recipient.Property(r => r.State).HasConversion(new LowerCaseEnumConverter<LedgerState>()).HasColumnName("state").HasMaxLength(16).IsRequired();
        recipient.Property(r => r.Attempts).HasColumnName("attempts");
        recipient.Property(r => r.LastError).HasColumnName("last_error").HasMaxLength(1024);
        recipient.Property(r => r.NextAttemptAt).HasColumnName("next_attempt_at");
        recipient.Property(r => r.LeaseUntil).HasColumnName("lease_until");
        recipient.Property(r => r.LeaseOwner).HasColumnName("lease_owner").HasMaxLength(128);
        recipient.Property(r => r.SentAt).HasColumnName("sent_at");
        recipient.Property(r => r.FirstOpenedAt).HasColumnName("first_opened_at");
        recipient.Property(r => r.OpenCount).HasColumnName("open_count");
        recipient.Property(r => r.UnsubscribedAt).HasColumnName("unsubscribed_at");
        recipient.Property(r => r.FirstClickedAt).HasColumnName("first_clicked_at");
        recipient.Property(r => r.ClickCount).HasColumnName("click_count");
        recipient.Property(r => r.MachineOpenCount).HasColumnName("machine_open_count");
        recipient.Property(r => r.BouncedAt).HasColumnName("bounced_at");
        recipient.Property(r => r.ComplainedAt).HasColumnName("complained_at");
        // One message per client per campaign, whether counted by contact or by address.
        recipient.HasIndex(r => new { r.CampaignId, r.ContactId }).IsUnique().HasDatabaseName("ux_campaign_recipients_campaign_contact");
        recipient.HasIndex(r => new { r.CampaignId, r.Email }).IsUnique().HasDatabaseName("ux_campaign_recipients_campaign_email");
        recipient.HasIndex(r => new { r.State, r.Id }).HasDatabaseName("ix_campaign_recipients_state_id");
        recipient.HasOne<CampaignRecord>().WithMany().HasForeignKey(r => r.CampaignId).OnDelete(DeleteBehavior.Cascade);
        recipient.HasOne<ContactRecord>().WithMany().HasForeignKey(r => r.ContactId).OnDelete(DeleteBehavior.Cascade);
    }
}
