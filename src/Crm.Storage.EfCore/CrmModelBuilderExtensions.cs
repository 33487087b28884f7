using Crm.Storage.EfCore.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Crm.Storage.EfCore;

/// <summary>
/// Adds the CRM tables to any <see cref="DbContext"/>, so an integrator can keep them in their own
/// database context (call these from <c>OnModelCreating</c>), or use the ready <see cref="CrmDbContext"/>.
/// </summary>
public static class CrmModelBuilderExtensions
{
    /// <summary>Adds <c>contacts</c>, <c>contact_tags</c> and <c>contact_attributes</c>.</summary>
    public static ModelBuilder ApplyCrmContacts(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<ContactRecord>(contact =>
        {
            contact.ToTable("contacts");
            contact.HasKey(c => c.Id);
            contact.Property(c => c.Id).HasColumnName("id");
            contact.Property(c => c.Email).HasColumnName("email").HasMaxLength(320);
            contact.Property(c => c.Phone).HasColumnName("phone").HasMaxLength(20);
            contact.Property(c => c.Name).HasColumnName("name").HasMaxLength(256);
            contact.Property(c => c.MarketingStatus).HasColumnName("marketing_status").HasMaxLength(16).IsRequired();
            contact.Property(c => c.CreatedAt).HasColumnName("created_at");
            contact.Property(c => c.UpdatedAt).HasColumnName("updated_at");
            contact.HasIndex(c => c.Email).IsUnique().HasDatabaseName("ux_contacts_email");
            contact.HasIndex(c => c.Phone).IsUnique().HasDatabaseName("ux_contacts_phone");
            contact.HasIndex(c => c.CreatedAt).HasDatabaseName("ix_contacts_created_at");
            contact.HasMany(c => c.Tags).WithOne().HasForeignKey(t => t.ContactId).OnDelete(DeleteBehavior.Cascade);
            contact.HasMany(c => c.Attributes).WithOne().HasForeignKey(a => a.ContactId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ContactTagRecord>(tag =>
        {
            tag.ToTable("contact_tags");
            tag.HasKey(t => new { t.ContactId, t.Tag });
            tag.Property(t => t.ContactId).HasColumnName("contact_id");
            tag.Property(t => t.Tag).HasColumnName("tag").HasMaxLength(64);
            tag.HasIndex(t => new { t.Tag, t.ContactId }).HasDatabaseName("ix_contact_tags_tag");
        });

        modelBuilder.Entity<ContactAttributeRecord>(attribute =>
        {
            attribute.ToTable("contact_attributes");
            attribute.HasKey(a => new { a.ContactId, a.Name });
            attribute.Property(a => a.ContactId).HasColumnName("contact_id");
            attribute.Property(a => a.Name).HasColumnName("name").HasMaxLength(64);
            attribute.Property(a => a.Value).HasColumnName("value").HasMaxLength(1024);
            attribute.HasIndex(a => new { a.Name, a.Value }).HasDatabaseName("ix_contact_attributes_name_value");
        });

        return modelBuilder;
    }

    /// <summary>Adds <c>tickets</c> and <c>ticket_messages</c> (and the contact tables they reference).</summary>
    public static ModelBuilder ApplyCrmChannels(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyCrmContacts();
        modelBuilder.Entity<TicketRecord>(ticket =>
        {
            ticket.ToTable("tickets");
            ticket.HasKey(t => t.Id);
            ticket.Property(t => t.Id).HasColumnName("id");
            ticket.Property(t => t.Channel).HasColumnName("channel").HasMaxLength(64).IsRequired();
            ticket.Property(t => t.Status).HasColumnName("status").HasMaxLength(16).IsRequired();
            ticket.Property(t => t.Subject).HasColumnName("subject").HasMaxLength(256);
            ticket.Property(t => t.ContactId).HasColumnName("contact_id");
            ticket.Property(t => t.ConversationKey).HasColumnName("conversation_key").HasMaxLength(64).IsRequired();
            ticket.Property(t => t.CreatedAt).HasColumnName("created_at");
            ticket.Property(t => t.UpdatedAt).HasColumnName("updated_at");
            ticket.HasIndex(t => t.ConversationKey).IsUnique().HasDatabaseName("ux_tickets_conversation_key");
            ticket.HasIndex(t => new { t.ContactId, t.Channel, t.Status }).HasDatabaseName("ix_tickets_contact_channel_status");
            ticket.HasIndex(t => t.UpdatedAt).HasDatabaseName("ix_tickets_updated_at");
            ticket.HasOne<ContactRecord>().WithMany().HasForeignKey(t => t.ContactId).OnDelete(DeleteBehavior.SetNull);
            ticket.HasMany(t => t.Messages).WithOne().HasForeignKey(m => m.TicketId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<TicketMessageRecord>(message =>
        {
            message.ToTable("ticket_messages");
            message.HasKey(m => m.Id);
            message.Property(m => m.Id).HasColumnName("id");
            message.Property(m => m.TicketId).HasColumnName("ticket_id");
            message.Property(m => m.Direction).HasColumnName("direction").HasMaxLength(16).IsRequired();
            message.Property(m => m.Channel).HasColumnName("channel").HasMaxLength(64).IsRequired();
            message.Property(m => m.ExternalMessageId).HasColumnName("external_message_id").HasMaxLength(512).IsRequired();
            message.Property(m => m.Author).HasColumnName("author").HasMaxLength(256);
            message.Property(m => m.Text).HasColumnName("text").IsRequired();
            message.Property(m => m.Html).HasColumnName("html");
            message.Property(m => m.AttachmentsJson).HasColumnName("attachments");
            message.Property(m => m.ReceivedAt).HasColumnName("received_at");
            // The dedupe guarantee: the same transport message is stored once, whoever races to insert it.
            message.HasIndex(m => new { m.Channel, m.ExternalMessageId }).IsUnique().HasDatabaseName("ux_ticket_messages_channel_external_id");
            message.HasIndex(m => new { m.TicketId, m.ReceivedAt }).HasDatabaseName("ix_ticket_messages_ticket_received");
        });

        return modelBuilder;
    }

    /// <summary>
    /// SQLite has no date-time-offset type it can compare or sort: store them as sortable integers.
    /// Call from <c>ConfigureConventions</c> when the context runs on SQLite.
    /// </summary>
    public static ModelConfigurationBuilder ApplyCrmSqliteConventions(this ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        return configurationBuilder;
    }
}
