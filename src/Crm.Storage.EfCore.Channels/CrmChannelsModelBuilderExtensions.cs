using Crm.Storage.EfCore;
using Crm.Storage.EfCore.Channels.Entities;

namespace Microsoft.EntityFrameworkCore;

/// <summary>
/// Adds the conversation tables to any <see cref="DbContext"/>, so an integrator can keep them in their own context
/// (call it from <c>OnModelCreating</c>); the ready <c>CrmDbContext</c> of Crm.Database calls it too.
/// </summary>
public static class CrmChannelsModelBuilderExtensions
{
    /// <summary>
    /// Adds <c>tickets</c>, <c>ticket_messages</c>, <c>contact_external_ids</c>, <c>mailbox_checkpoints</c>,
    /// <c>quarantined_emails</c>, <c>attachment_contents</c> and <c>attachment_chunks</c> (and the shared contact and
    /// settings tables).
    /// </summary>
    public static ModelBuilder ApplyCrmChannels(this ModelBuilder modelBuilder) => Apply(modelBuilder, null);

    /// <summary>
    /// Adds the same tables named by <paramref name="tables"/> — a prefix and/or a schema — so they cannot clash with
    /// the host's own; give <c>ApplyCrmCampaigns</c> the same options.
    /// </summary>
    public static ModelBuilder ApplyCrmChannels(this ModelBuilder modelBuilder, Action<CrmTableOptions> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        return Apply(modelBuilder, tables);
    }

    private static ModelBuilder Apply(ModelBuilder modelBuilder, Action<CrmTableOptions>? tables)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyCrmContacts();
        modelBuilder.ApplyConfiguration(new TicketRecordConfiguration());
        modelBuilder.ApplyConfiguration(new ContactExternalIdRecordConfiguration());
        modelBuilder.ApplyConfiguration(new TicketMessageRecordConfiguration());
        modelBuilder.ApplyConfiguration(new TicketQuotedIdRecordConfiguration());
        modelBuilder.ApplyConfiguration(new MailboxCheckpointRecordConfiguration());
        modelBuilder.ApplyConfiguration(new QuarantinedEmailRecordConfiguration());
        modelBuilder.ApplyConfiguration(new AttachmentContentRecordConfiguration());
        modelBuilder.ApplyConfiguration(new AttachmentChunkRecordConfiguration());
        CrmTableNaming.Apply(modelBuilder, tables, nameof(ApplyCrmChannels));
        return modelBuilder;
    }
}
