using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Storage.EfCore.Channels.Entities;

/// <summary>Maps <see cref="AttachmentChunkRecord"/> to <c>attachment_chunks</c>.</summary>
internal sealed class AttachmentChunkRecordConfiguration : IEntityTypeConfiguration<AttachmentChunkRecord>
{
    public void Configure(EntityTypeBuilder<AttachmentChunkRecord> chunk)
    {
        chunk.ToTable("attachment_chunks");
        chunk.HasKey(c => new { c.UploadId, c.Sequence });
        chunk.Property(c => c.UploadId).HasColumnName("upload_id");
        chunk.Property(c => c.Sequence).HasColumnName("sequence");
        chunk.Property(c => c.Data).HasColumnName("data").IsRequired();
        chunk.Property(c => c.CreatedAt).HasColumnName("created_at");
        chunk.HasIndex(c => c.CreatedAt).HasDatabaseName("ix_attachment_chunks_created_at");
    }
}
