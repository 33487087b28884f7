using Crm.Storage.EfCore;
using Crm.Storage.EfCore.Campaigns.Entities;

namespace Microsoft.EntityFrameworkCore;

/// <summary>
/// Adds the campaign tables to any <see cref="DbContext"/>, so an integrator can keep them in their own context
/// (call it from <c>OnModelCreating</c>); the ready <c>CrmDbContext</c> of Crm.Database calls it too.
/// </summary>
public static class CrmCampaignsModelBuilderExtensions
{
    /// <summary>
    /// Adds <c>bulk_email_campaigns</c>, <c>campaign_recipients</c>, <c>campaign_link_clicks</c> and
    /// <c>webhook_receipts</c> (and the shared contact and settings tables).
    /// </summary>
    public static ModelBuilder ApplyCrmCampaigns(this ModelBuilder modelBuilder) => Apply(modelBuilder, null);

    /// <summary>
    /// Adds the same tables named by <paramref name="tables"/> — a prefix and/or a schema — so they cannot clash with
    /// the host's own; give <c>ApplyCrmChannels</c> the same options.
    /// </summary>
    public static ModelBuilder ApplyCrmCampaigns(this ModelBuilder modelBuilder, Action<CrmTableOptions> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        return Apply(modelBuilder, tables);
    }

    private static ModelBuilder Apply(ModelBuilder modelBuilder, Action<CrmTableOptions>? tables)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyCrmContacts();
        modelBuilder.ApplyConfiguration(new CampaignRecordConfiguration());
        modelBuilder.ApplyConfiguration(new CampaignRecipientRecordConfiguration());
        modelBuilder.ApplyConfiguration(new CampaignLinkClickRecordConfiguration());
        modelBuilder.ApplyConfiguration(new WebhookReceiptRecordConfiguration());
        modelBuilder.ApplyConfiguration(new SavedSegmentRecordConfiguration());
        CrmTableNaming.Apply(modelBuilder, tables, nameof(ApplyCrmCampaigns));
        return modelBuilder;
    }
}
