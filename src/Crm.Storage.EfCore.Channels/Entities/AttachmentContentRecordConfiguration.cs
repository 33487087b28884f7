using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Storage.EfCore.Channels.Entities;

/// <summary>Maps <see cref="AttachmentContentRecord"/> to <c>attachment_contents</c>.</summary>
internal sealed class AttachmentContentRecordConfiguration : IEntityTypeConfiguration<AttachmentContentRecord>
{
    public void Configure(EntityTypeBuilder<AttachmentContentRecord> content)
    {
        content.ToTable("attachment_contents");
        content.HasKey(c => c.Key);
        content.Property(c => c.Key).HasColumnName("key").HasMaxLength(64);
        content.Property(c => c.UploadId).HasColumnName("upload_id");
        content.Property(c => c.Length).HasColumnName("length");
        content.Property(c => c.StoredAt).HasColumnName("stored_at");
        content.HasIndex(c => c.StoredAt).HasDatabaseName("ix_attachment_contents_stored_at");
    }
}
