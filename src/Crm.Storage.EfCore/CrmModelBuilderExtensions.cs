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
}
