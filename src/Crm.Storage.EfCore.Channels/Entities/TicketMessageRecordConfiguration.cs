using Crm.Storage.EfCore.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Storage.EfCore.Channels.Entities;

/// <summary>Maps <see cref="TicketMessageRecord"/> to <c>ticket_messages</c>.</summary>
internal sealed class TicketMessageRecordConfiguration : IEntityTypeConfiguration<TicketMessageRecord>
{
    public void Configure(EntityTypeBuilder<TicketMessageRecord> message)
    {
        message.ToTable("ticket_messages");
        message.HasKey(m => m.Id);
        message.Property(m => m.Id).HasColumnName("id");
        message.Property(m => m.TicketId).HasColumnName("ticket_id");
        message.Property(m => m.Direction).HasConversion(new LowerCaseEnumConverter<Crm.Channels.Tickets.MessageDirection>()).HasColumnName("direction").HasMaxLength(16).IsRequired();
        message.Property(m => m.Channel).HasColumnName("channel").HasMaxLength(64).IsRequired();
        message.Property(m => m.ExternalMessageId).HasColumnName("external_message_id").HasMaxLength(512).IsRequired();
        message.Property(m => m.Author).HasColumnName("author").HasMaxLength(256);
        message.Property(m => m.Text).HasColumnName("text").IsRequired();
        message.Property(m => m.Html).HasColumnName("html");
        message.Property(m => m.AttachmentsJson).HasColumnName("attachments");
        message.Property(m => m.ReceivedAt).HasColumnName("received_at");
        message.Property(m => m.DeliveryStatus).HasConversion(new LowerCaseEnumConverter<Crm.Channels.Tickets.DeliveryStatus>()).HasColumnName("delivery_status").HasMaxLength(16);
        message.Property(m => m.DeliveryError).HasColumnName("delivery_error").HasMaxLength(1024);
        message.Property(m => m.DeliveryAttempts).HasColumnName("delivery_attempts");
        message.Property(m => m.NextAttemptAt).HasColumnName("next_attempt_at");
        message.Property(m => m.LeasedUntil).HasColumnName("leased_until");
        message.Property(m => m.TemplateJson).HasColumnName("template");
        message.Property(m => m.IdentityVerified).HasColumnName("identity_verified");
        message.Property(m => m.OtherSender).HasColumnName("other_sender").HasMaxLength(320);
        message.Property(m => m.OfflineCopyDueAt).HasColumnName("offline_copy_due_at");
        message.HasIndex(m => m.OfflineCopyDueAt).HasDatabaseName("ix_ticket_messages_offline_copy");
        // The outbox's claim query: queued messages by due time.
        message.HasIndex(m => new { m.DeliveryStatus, m.NextAttemptAt }).HasDatabaseName("ix_ticket_messages_outbox");
        // The dedupe guarantee: the same transport message is stored once, whoever races to insert it.
        message.HasIndex(m => new { m.Channel, m.ExternalMessageId }).IsUnique().HasDatabaseName("ux_ticket_messages_channel_external_id");
        message.HasIndex(m => new { m.TicketId, m.ReceivedAt }).HasDatabaseName("ix_ticket_messages_ticket_received");
    }
}
