using Crm.Storage.EfCore.Entities;
using Microsoft.EntityFrameworkCore;

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
        modelBuilder.ApplyConfiguration(new ContactRecordConfiguration());
        modelBuilder.ApplyConfiguration(new ContactTagRecordConfiguration());
        modelBuilder.ApplyConfiguration(new ContactAttributeRecordConfiguration());

        return modelBuilder;
    }

    /// <summary>
    /// Adds <c>tickets</c>, <c>ticket_messages</c>, <c>mailbox_checkpoints</c>, <c>quarantined_emails</c>,
    /// <c>attachment_contents</c> and <c>attachment_chunks</c> (and the contact tables).
    /// </summary>
    public static ModelBuilder ApplyCrmChannels(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyCrmContacts();
        modelBuilder.ApplyConfiguration(new TicketRecordConfiguration());
        modelBuilder.ApplyConfiguration(new TicketMessageRecordConfiguration());
        modelBuilder.ApplyConfiguration(new MailboxCheckpointRecordConfiguration());
        modelBuilder.ApplyConfiguration(new QuarantinedEmailRecordConfiguration());
        modelBuilder.ApplyConfiguration(new AttachmentContentRecordConfiguration());
        modelBuilder.ApplyConfiguration(new AttachmentChunkRecordConfiguration());

        return modelBuilder;
    }

    /// <summary>Adds <c>bulk_email_campaigns</c>, <c>campaign_recipients</c>, <c>crm_settings</c> (and the contact tables).</summary>
    public static ModelBuilder ApplyCrmCampaigns(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyCrmContacts();
        modelBuilder.ApplyConfiguration(new CampaignRecordConfiguration());
        modelBuilder.ApplyConfiguration(new CampaignRecipientRecordConfiguration());
        modelBuilder.ApplyConfiguration(new CampaignLinkClickRecordConfiguration());
        modelBuilder.ApplyConfiguration(new WebhookReceiptRecordConfiguration());
        modelBuilder.ApplyConfiguration(new CrmSettingRecordConfiguration());

        return modelBuilder;
    }
}
