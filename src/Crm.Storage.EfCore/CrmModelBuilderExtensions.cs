using Crm.Storage.EfCore.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Crm.Storage.EfCore;

/// <summary>
/// Adds the CRM tables to any <see cref="DbContext"/>, so an integrator can keep them in their own
/// database context (call these from <c>OnModelCreating</c>), or use the ready <see cref="CrmDbContext"/>.
/// </summary>
public static class CrmModelBuilderExtensions
{
    /// <summary>Adds <c>contacts</c>, <c>contact_tags</c> and <c>contact_attributes</c>.</summary>
    public static ModelBuilder ApplyCrmContacts(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<ContactRecord>(contact =>
        {
            contact.ToTable("contacts");
            contact.HasKey(c => c.Id);
            contact.Property(c => c.Id).HasColumnName("id");
            contact.Property(c => c.Email).HasColumnName("email").HasMaxLength(320);
            contact.Property(c => c.Phone).HasColumnName("phone").HasMaxLength(20);
            contact.Property(c => c.Name).HasColumnName("name").HasMaxLength(256);
            contact.Property(c => c.MarketingStatus).HasColumnName("marketing_status").HasMaxLength(16).IsRequired();
            contact.Property(c => c.CreatedAt).HasColumnName("created_at");
            contact.Property(c => c.UpdatedAt).HasColumnName("updated_at");
            contact.HasIndex(c => c.Email).IsUnique().HasDatabaseName("ux_contacts_email");
            contact.HasIndex(c => c.Phone).IsUnique().HasDatabaseName("ux_contacts_phone");
            contact.HasIndex(c => c.CreatedAt).HasDatabaseName("ix_contacts_created_at");
            contact.HasMany(c => c.Tags).WithOne().HasForeignKey(t => t.ContactId).OnDelete(DeleteBehavior.Cascade);
            contact.HasMany(c => c.Attributes).WithOne().HasForeignKey(a => a.ContactId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ContactTagRecord>(tag =>
        {
            tag.ToTable("contact_tags");
            tag.HasKey(t => new { t.ContactId, t.Tag });
            tag.Property(t => t.ContactId).HasColumnName("contact_id");
            tag.Property(t => t.Tag).HasColumnName("tag").HasMaxLength(64);
            tag.HasIndex(t => new { t.Tag, t.ContactId }).HasDatabaseName("ix_contact_tags_tag");
        });

        modelBuilder.Entity<ContactAttributeRecord>(attribute =>
        {
            attribute.ToTable("contact_attributes");
            attribute.HasKey(a => new { a.ContactId, a.Name });
            attribute.Property(a => a.ContactId).HasColumnName("contact_id");
            attribute.Property(a => a.Name).HasColumnName("name").HasMaxLength(64);
            attribute.Property(a => a.Value).HasColumnName("value").HasMaxLength(1024);
            attribute.HasIndex(a => new { a.Name, a.Value }).HasDatabaseName("ix_contact_attributes_name_value");
        });

        return modelBuilder;
    }

    /// <summary>Adds <c>tickets</c>, <c>ticket_messages</c>, <c>mailbox_checkpoints</c>, <c>quarantined_emails</c> (and the contact tables).</summary>
    public static ModelBuilder ApplyCrmChannels(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyCrmContacts();
        modelBuilder.Entity<TicketRecord>(ticket =>
        {
            ticket.ToTable("tickets");
            ticket.HasKey(t => t.Id);
            ticket.Property(t => t.Id).HasColumnName("id");
            ticket.Property(t => t.Channel).HasColumnName("channel").HasMaxLength(64).IsRequired();
            ticket.Property(t => t.Status).HasColumnName("status").HasMaxLength(16).IsRequired();
            ticket.Property(t => t.Subject).HasColumnName("subject").HasMaxLength(256);
            ticket.Property(t => t.ContactId).HasColumnName("contact_id");
            ticket.Property(t => t.ConversationKey).HasColumnName("conversation_key").HasMaxLength(64).IsRequired();
            ticket.Property(t => t.CreatedAt).HasColumnName("created_at");
            ticket.Property(t => t.UpdatedAt).HasColumnName("updated_at");
            ticket.HasIndex(t => t.ConversationKey).IsUnique().HasDatabaseName("ux_tickets_conversation_key");
            ticket.HasIndex(t => new { t.ContactId, t.Channel, t.Status }).HasDatabaseName("ix_tickets_contact_channel_status");
            ticket.HasIndex(t => t.UpdatedAt).HasDatabaseName("ix_tickets_updated_at");
            ticket.HasOne<ContactRecord>().WithMany().HasForeignKey(t => t.ContactId).OnDelete(DeleteBehavior.SetNull);
            ticket.HasMany(t => t.Messages).WithOne().HasForeignKey(m => m.TicketId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<TicketMessageRecord>(message =>
        {
            message.ToTable("ticket_messages");
            message.HasKey(m => m.Id);
            message.Property(m => m.Id).HasColumnName("id");
            message.Property(m => m.TicketId).HasColumnName("ticket_id");
            message.Property(m => m.Direction).HasColumnName("direction").HasMaxLength(16).IsRequired();
            message.Property(m => m.Channel).HasColumnName("channel").HasMaxLength(64).IsRequired();
            message.Property(m => m.ExternalMessageId).HasColumnName("external_message_id").HasMaxLength(512).IsRequired();
            message.Property(m => m.Author).HasColumnName("author").HasMaxLength(256);
            message.Property(m => m.Text).HasColumnName("text").IsRequired();
            message.Property(m => m.Html).HasColumnName("html");
            message.Property(m => m.AttachmentsJson).HasColumnName("attachments");
            message.Property(m => m.ReceivedAt).HasColumnName("received_at");
            // The dedupe guarantee: the same transport message is stored once, whoever races to insert it.
            message.HasIndex(m => new { m.Channel, m.ExternalMessageId }).IsUnique().HasDatabaseName("ux_ticket_messages_channel_external_id");
            message.HasIndex(m => new { m.TicketId, m.ReceivedAt }).HasDatabaseName("ix_ticket_messages_ticket_received");
        });

        modelBuilder.Entity<MailboxCheckpointRecord>(checkpoint =>
        {
            checkpoint.ToTable("mailbox_checkpoints");
            checkpoint.HasKey(c => c.Mailbox);
            checkpoint.Property(c => c.Mailbox).HasColumnName("mailbox").HasMaxLength(512);
            checkpoint.Property(c => c.UidValidity).HasColumnName("uid_validity");
            checkpoint.Property(c => c.LastUid).HasColumnName("last_uid");
            checkpoint.Property(c => c.UpdatedAt).HasColumnName("updated_at");
        });

        modelBuilder.Entity<QuarantinedEmailRecord>(quarantined =>
        {
            quarantined.ToTable("quarantined_emails");
            quarantined.HasKey(q => q.Id);
            quarantined.Property(q => q.Id).HasColumnName("id");
            quarantined.Property(q => q.Source).HasColumnName("source").HasMaxLength(512).IsRequired();
            quarantined.Property(q => q.Uid).HasColumnName("uid");
            quarantined.Property(q => q.Reason).HasColumnName("reason").HasMaxLength(1024).IsRequired();
            quarantined.Property(q => q.Size).HasColumnName("size");
            quarantined.Property(q => q.QuarantinedAt).HasColumnName("quarantined_at");
        });

        return modelBuilder;
    }

    /// <summary>Adds <c>bulk_email_campaigns</c>, <c>campaign_recipients</c>, <c>crm_settings</c> (and the contact tables).</summary>
    public static ModelBuilder ApplyCrmCampaigns(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyCrmContacts();
        modelBuilder.Entity<CampaignRecord>(campaign =>
        {
            campaign.ToTable("bulk_email_campaigns");
            campaign.HasKey(c => c.Id);
            campaign.Property(c => c.Id).HasColumnName("id");
            campaign.Property(c => c.Subject).HasColumnName("subject").HasMaxLength(255).IsRequired();
            campaign.Property(c => c.Body).HasColumnName("body").IsRequired();
            campaign.Property(c => c.SegmentCriteria).HasColumnName("segment_criteria").IsRequired();
            campaign.Property(c => c.Status).HasColumnName("status").HasMaxLength(16).IsRequired();
            campaign.Property(c => c.PauseReason).HasColumnName("pause_reason").HasMaxLength(1024);
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
            campaign.HasIndex(c => new { c.Status, c.ScheduledAt }).HasDatabaseName("ix_bulk_email_campaigns_status_scheduled");
        });

        modelBuilder.Entity<CampaignRecipientRecord>(recipient =>
        {
            recipient.ToTable("campaign_recipients");
            recipient.HasKey(r => r.Id);
            recipient.Property(r => r.Id).HasColumnName("id");
            recipient.Property(r => r.CampaignId).HasColumnName("campaign_id");
            recipient.Property(r => r.ContactId).HasColumnName("contact_id");
            recipient.Property(r => r.Email).HasColumnName("email").HasMaxLength(320).IsRequired();
            recipient.Property(r => r.State).HasColumnName("state").HasMaxLength(16).IsRequired();
            recipient.Property(r => r.Attempts).HasColumnName("attempts");
            recipient.Property(r => r.LastError).HasColumnName("last_error").HasMaxLength(1024);
            recipient.Property(r => r.NextAttemptAt).HasColumnName("next_attempt_at");
            recipient.Property(r => r.LeaseUntil).HasColumnName("lease_until");
            recipient.Property(r => r.LeaseOwner).HasColumnName("lease_owner").HasMaxLength(128);
            recipient.Property(r => r.SentAt).HasColumnName("sent_at");
            recipient.Property(r => r.FirstOpenedAt).HasColumnName("first_opened_at");
            recipient.Property(r => r.OpenCount).HasColumnName("open_count");
            recipient.Property(r => r.UnsubscribedAt).HasColumnName("unsubscribed_at");
            // One message per client per campaign, whether counted by contact or by address.
            recipient.HasIndex(r => new { r.CampaignId, r.ContactId }).IsUnique().HasDatabaseName("ux_campaign_recipients_campaign_contact");
            recipient.HasIndex(r => new { r.CampaignId, r.Email }).IsUnique().HasDatabaseName("ux_campaign_recipients_campaign_email");
            recipient.HasIndex(r => new { r.State, r.Id }).HasDatabaseName("ix_campaign_recipients_state_id");
            recipient.HasOne<CampaignRecord>().WithMany().HasForeignKey(r => r.CampaignId).OnDelete(DeleteBehavior.Cascade);
            recipient.HasOne<ContactRecord>().WithMany().HasForeignKey(r => r.ContactId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<CrmSettingRecord>(setting =>
        {
            setting.ToTable("crm_settings");
            setting.HasKey(s => s.Key);
            setting.Property(s => s.Key).HasColumnName("key").HasMaxLength(128);
            setting.Property(s => s.Value).HasColumnName("value").IsRequired();
        });

        return modelBuilder;
    }
}
