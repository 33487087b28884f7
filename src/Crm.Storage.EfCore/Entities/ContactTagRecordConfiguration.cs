using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Storage.EfCore.Entities;

/// <summary>Maps <see cref="ContactTagRecord"/> to <c>contact_tags</c>.</summary>
internal sealed class ContactTagRecordConfiguration : IEntityTypeConfiguration<ContactTagRecord>
{
    public void Configure(EntityTypeBuilder<ContactTagRecord> tag)
    {
        tag.ToTable("contact_tags");
        tag.HasKey(t => new { t.ContactId, t.Tag });
        tag.Property(t => t.ContactId).HasColumnName("contact_id");
        tag.Property(t => t.Tag).HasColumnName("tag").HasMaxLength(64);
        tag.HasIndex(t => new { t.Tag, t.ContactId }).HasDatabaseName("ix_contact_tags_tag");
    }
}
