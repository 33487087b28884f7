using Crm.Storage.EfCore.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Storage.EfCore.Channels.Entities;

/// <summary>Maps <see cref="TicketRecord"/> to <c>tickets</c>.</summary>
internal sealed class TicketRecordConfiguration : IEntityTypeConfiguration<TicketRecord>
{
    public void Configure(EntityTypeBuilder<TicketRecord> ticket)
    {
        ticket.ToTable("tickets");
        ticket.HasKey(t => t.Id);
        ticket.Property(t => t.Id).HasColumnName("id");
        ticket.Property(t => t.Channel).HasColumnName("channel").HasMaxLength(64).IsRequired();
        ticket.Property(t => t.Status).HasConversion(new LowerCaseEnumConverter<Crm.Channels.Tickets.TicketStatus>()).HasColumnName("status").HasMaxLength(16).IsRequired();
        ticket.Property(t => t.Subject).HasColumnName("subject").HasMaxLength(256);
        ticket.Property(t => t.Cc).HasColumnName("cc");
        ticket.Property(t => t.Inbox).HasColumnName("inbox").HasMaxLength(64);
        ticket.Property(t => t.ContactId).HasColumnName("contact_id");
        ticket.Property(t => t.ConversationKey).HasColumnName("conversation_key").HasMaxLength(64).IsRequired();
        ticket.Property(t => t.CreatedAt).HasColumnName("created_at");
        ticket.Property(t => t.UpdatedAt).HasColumnName("updated_at");
        ticket.HasIndex(t => t.ConversationKey).IsUnique().HasDatabaseName("ux_tickets_conversation_key");
        ticket.HasIndex(t => new { t.ContactId, t.Channel, t.Status }).HasDatabaseName("ix_tickets_contact_channel_status");
        ticket.HasIndex(t => t.UpdatedAt).HasDatabaseName("ix_tickets_updated_at");
        ticket.HasOne<ContactRecord>().WithMany().HasForeignKey(t => t.ContactId).OnDelete(DeleteBehavior.SetNull);
        ticket.HasMany(t => t.Messages).WithOne().HasForeignKey(m => m.TicketId).OnDelete(DeleteBehavior.Cascade);
    }
}
