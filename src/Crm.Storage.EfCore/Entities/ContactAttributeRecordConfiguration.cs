using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Storage.EfCore.Entities;

/// <summary>Maps <see cref="ContactAttributeRecord"/> to <c>contact_attributes</c>.</summary>
internal sealed class ContactAttributeRecordConfiguration : IEntityTypeConfiguration<ContactAttributeRecord>
{
    public void Configure(EntityTypeBuilder<ContactAttributeRecord> attribute)
    {
        attribute.ToTable("contact_attributes");
        attribute.HasKey(a => new { a.ContactId, a.Name });
        attribute.Property(a => a.ContactId).HasColumnName("contact_id");
        attribute.Property(a => a.Name).HasColumnName("name").HasMaxLength(64);
        attribute.Property(a => a.Value).HasColumnName("value").HasMaxLength(1024);
        attribute.HasIndex(a => new { a.Name, a.Value }).HasDatabaseName("ix_contact_attributes_name_value");
    }
}
