using Crm.Storage.EfCore.Entities;

namespace Microsoft.EntityFrameworkCore;

/// <summary>
/// Adds the tables both features share to any <see cref="DbContext"/>. You rarely call it yourself:
/// <c>ApplyCrmChannels()</c> (Crm.Storage.EfCore.Channels) and <c>ApplyCrmCampaigns()</c> (Crm.Storage.EfCore.Campaigns) call it.
/// </summary>
public static class CrmModelBuilderExtensions
{
    /// <summary>Adds <c>contacts</c>, <c>contact_tags</c>, <c>contact_attributes</c> and <c>crm_settings</c>.</summary>
    public static ModelBuilder ApplyCrmContacts(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfiguration(new ContactRecordConfiguration());
        modelBuilder.ApplyConfiguration(new ContactTagRecordConfiguration());
        modelBuilder.ApplyConfiguration(new ContactAttributeRecordConfiguration());
        // Both features keep generated secrets here (signing keys), so the table comes with the shared ones.
        modelBuilder.ApplyConfiguration(new CrmSettingRecordConfiguration());

        return modelBuilder;
    }

    /// <summary>
    /// Adds <c>webhook_endpoints</c> and <c>webhook_deliveries</c> (outgoing webhooks: <c>AddCrmWebhooks()</c>). Call it
    /// before <c>ApplyCrmChannels</c>/<c>ApplyCrmCampaigns</c> when they get <c>CrmTableOptions</c>, so the prefix or
    /// schema reaches these tables too.
    /// </summary>
    public static ModelBuilder ApplyCrmWebhooks(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfiguration(new Crm.Storage.EfCore.Webhooks.WebhookEndpointRecordConfiguration());
        modelBuilder.ApplyConfiguration(new Crm.Storage.EfCore.Webhooks.WebhookDeliveryRecordConfiguration());
        return modelBuilder;
    }
}
