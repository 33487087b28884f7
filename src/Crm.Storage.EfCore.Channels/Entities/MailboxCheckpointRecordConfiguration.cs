using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Storage.EfCore.Channels.Entities;

/// <summary>Maps <see cref="MailboxCheckpointRecord"/> to <c>mailbox_checkpoints</c>.</summary>
internal sealed class MailboxCheckpointRecordConfiguration : IEntityTypeConfiguration<MailboxCheckpointRecord>
{
    public void Configure(EntityTypeBuilder<MailboxCheckpointRecord> checkpoint)
    {
        checkpoint.ToTable("mailbox_checkpoints");
        checkpoint.HasKey(c => c.Mailbox);
        checkpoint.Property(c => c.Mailbox).HasColumnName("mailbox").HasMaxLength(512);
        checkpoint.Property(c => c.UidValidity).HasColumnName("uid_validity");
        checkpoint.Property(c => c.LastUid).HasColumnName("last_uid");
        checkpoint.Property(c => c.UpdatedAt).HasColumnName("updated_at");
    }
}
