using Crm.Storage.EfCore.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Storage.EfCore.Channels.Entities;

/// <summary>Maps <see cref="ContactExternalIdRecord"/> to <c>contact_external_ids</c>: one person per id and channel.</summary>
internal sealed class ContactExternalIdRecordConfiguration : IEntityTypeConfiguration<ContactExternalIdRecord>
{
    public void Configure(EntityTypeBuilder<ContactExternalIdRecord> identity)
    {
        identity.ToTable("contact_external_ids");
        identity.HasKey(i => i.Id);
        identity.Property(i => i.Id).HasColumnName("id");
        identity.Property(i => i.ContactId).HasColumnName("contact_id");
        identity.Property(i => i.Channel).HasColumnName("channel").HasMaxLength(64).IsRequired();
        identity.Property(i => i.ExternalId).HasColumnName("external_id").HasMaxLength(256).IsRequired();
        identity.Property(i => i.CreatedAt).HasColumnName("created_at");
        identity.HasIndex(i => new { i.Channel, i.ExternalId }).IsUnique().HasDatabaseName("ux_contact_external_ids_channel_id");
        identity.HasIndex(i => i.ContactId).HasDatabaseName("ix_contact_external_ids_contact");
        identity.HasOne<ContactRecord>().WithMany().HasForeignKey(i => i.ContactId).OnDelete(DeleteBehavior.Cascade);
    }
}
