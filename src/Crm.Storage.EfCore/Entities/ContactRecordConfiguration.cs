using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Storage.EfCore.Entities;

/// <summary>Maps <see cref="ContactRecord"/> to <c>contacts</c>.</summary>
internal sealed class ContactRecordConfiguration : IEntityTypeConfiguration<ContactRecord>
{
    public void Configure(EntityTypeBuilder<ContactRecord> contact)
    {
        contact.ToTable("contacts");
        contact.HasKey(c => c.Id);
        contact.Property(c => c.Id).HasColumnName("id");
        contact.Property(c => c.Email).HasColumnName("email").HasMaxLength(320);
        contact.Property(c => c.Phone).HasColumnName("phone").HasMaxLength(20);
        contact.Property(c => c.Name).HasColumnName("name").HasMaxLength(256);
        contact.Property(c => c.MarketingStatus).HasConversion(new LowerCaseEnumConverter<ContactMarketingStatus>()).HasColumnName("marketing_status").HasMaxLength(16).IsRequired();
        contact.Property(c => c.MarketingStatusChangedAt).HasColumnName("marketing_status_changed_at");
        contact.Property(c => c.SoftBounces).HasColumnName("soft_bounces");
        contact.Property(c => c.CreatedAt).HasColumnName("created_at");
        contact.Property(c => c.UpdatedAt).HasColumnName("updated_at");
        contact.HasIndex(c => c.Email).IsUnique().HasDatabaseName("ux_contacts_email");
        contact.HasIndex(c => c.Phone).IsUnique().HasDatabaseName("ux_contacts_phone");
        contact.HasIndex(c => c.CreatedAt).HasDatabaseName("ix_contacts_created_at");
        contact.HasMany(c => c.Tags).WithOne().HasForeignKey(t => t.ContactId).OnDelete(DeleteBehavior.Cascade);
        contact.HasMany(c => c.Attributes).WithOne().HasForeignKey(a => a.ContactId).OnDelete(DeleteBehavior.Cascade);
    }
}
