using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Storage.EfCore.Channels.Entities;

/// <summary>Maps <see cref="QuarantinedEmailRecord"/> to <c>quarantined_emails</c>.</summary>
internal sealed class QuarantinedEmailRecordConfiguration : IEntityTypeConfiguration<QuarantinedEmailRecord>
{
    public void Configure(EntityTypeBuilder<QuarantinedEmailRecord> quarantined)
    {
        quarantined.ToTable("quarantined_emails");
        quarantined.HasKey(q => q.Id);
        quarantined.Property(q => q.Id).HasColumnName("id");
        quarantined.Property(q => q.Source).HasColumnName("source").HasMaxLength(512).IsRequired();
        quarantined.Property(q => q.Uid).HasColumnName("uid");
        quarantined.Property(q => q.Reason).HasColumnName("reason").HasMaxLength(1024).IsRequired();
        quarantined.Property(q => q.Size).HasColumnName("size");
        quarantined.Property(q => q.QuarantinedAt).HasColumnName("quarantined_at");
        quarantined.Property(q => q.Sender).HasColumnName("sender").HasMaxLength(320);
        quarantined.Property(q => q.Subject).HasColumnName("subject").HasMaxLength(512);
        quarantined.Property(q => q.RawKey).HasColumnName("raw_key").HasMaxLength(128);
    }
}
