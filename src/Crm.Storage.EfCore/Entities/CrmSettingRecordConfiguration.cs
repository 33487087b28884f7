using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Storage.EfCore.Entities;

/// <summary>Maps <see cref="CrmSettingRecord"/> to <c>crm_settings</c>.</summary>
internal sealed class CrmSettingRecordConfiguration : IEntityTypeConfiguration<CrmSettingRecord>
{
    public void Configure(EntityTypeBuilder<CrmSettingRecord> setting)
    {
        setting.ToTable("crm_settings");
        setting.HasKey(s => s.Key);
        setting.Property(s => s.Key).HasColumnName("key").HasMaxLength(128);
        setting.Property(s => s.Value).HasColumnName("value").IsRequired();
    }
}
