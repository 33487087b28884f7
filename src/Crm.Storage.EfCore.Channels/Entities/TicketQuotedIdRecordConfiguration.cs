using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Storage.EfCore.Channels.Entities;

/// <summary>Maps <see cref="TicketQuotedIdRecord"/> to <c>ticket_quoted_ids</c>: one ticket per quoted id and channel.</summary>
internal sealed class TicketQuotedIdRecordConfiguration : IEntityTypeConfiguration<TicketQuotedIdRecord>
{
    public void Configure(EntityTypeBuilder<TicketQuotedIdRecord> quoted)
    {
        quoted.ToTable("ticket_quoted_ids");
        quoted.HasKey(q => new { q.Channel, q.ExternalMessageId });
        quoted.Property(q => q.Channel).HasColumnName("channel").HasMaxLength(64).IsRequired();
        quoted.Property(q => q.ExternalMessageId).HasColumnName("external_message_id").HasMaxLength(512).IsRequired();
        quoted.Property(q => q.TicketId).HasColumnName("ticket_id");
        quoted.HasIndex(q => q.TicketId).HasDatabaseName("ix_ticket_quoted_ids_ticket");
        quoted.HasOne<TicketRecord>().WithMany().HasForeignKey(q => q.TicketId).OnDelete(DeleteBehavior.Cascade);
    }
}
