using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Storage.EfCore.Campaigns.Entities;

/// <summary>Maps <see cref="WebhookReceiptRecord"/> to <c>webhook_receipts</c>.</summary>
internal sealed class WebhookReceiptRecordConfiguration : IEntityTypeConfiguration<WebhookReceiptRecord>
{
    public void Configure(EntityTypeBuilder<WebhookReceiptRecord> receipt)
    {
        receipt.ToTable("webhook_receipts");
        // The key is the replay guard: the second insert of the same event fails, whichever instance tries.
        receipt.HasKey(r => new { r.Provider, r.EventId });
        receipt.Property(r => r.Provider).HasColumnName("provider").HasMaxLength(32);
        receipt.Property(r => r.EventId).HasColumnName("event_id").HasMaxLength(256);
        receipt.Property(r => r.ReceivedAt).HasColumnName("received_at");
        receipt.HasIndex(r => r.ReceivedAt).HasDatabaseName("ix_webhook_receipts_received_at");
    }
}
