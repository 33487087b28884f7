using Crm.Storage.EfCore.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Storage.EfCore.Webhooks;

/// <summary>A row of <c>webhook_endpoints</c>.</summary>
internal sealed class WebhookEndpointRecord : ICrmRecord
{
    public long Id { get; set; }

    public string Url { get; set; } = "";

    /// <summary>The event types, space-separated (<c>*</c> for all).</summary>
    public string Events { get; set; } = "";

    public string? Description { get; set; }

    public string Secret { get; set; } = "";

    /// <summary>The secret before the last rotation, signing beside the current one until <see cref="PreviousSecretUntil"/>.</summary>
    public string? PreviousSecret { get; set; }

    public DateTimeOffset? PreviousSecretUntil { get; set; }

    public bool Enabled { get; set; }

    public string? DisabledReason { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A row of <c>webhook_deliveries</c>: the outbox and the delivery log in one.</summary>
internal sealed class WebhookDeliveryRecord : ICrmRecord
{
    public long Id { get; set; }

    public long EndpointId { get; set; }

    public string WebhookId { get; set; } = "";

    public string EventType { get; set; } = "";

    public byte[] Payload { get; set; } = [];

    public string Status { get; set; } = "pending";

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    public int? ResponseStatus { get; set; }

    public string? ResponseExcerpt { get; set; }

    public int? DurationMilliseconds { get; set; }

    public string? LeaseOwner { get; set; }

    public DateTimeOffset? LeasedUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Maps <see cref="WebhookEndpointRecord"/>.</summary>
internal sealed class WebhookEndpointRecordConfiguration : IEntityTypeConfiguration<WebhookEndpointRecord>
{
    public void Configure(EntityTypeBuilder<WebhookEndpointRecord> endpoint)
    {
        endpoint.ToTable("webhook_endpoints");
        endpoint.HasKey(e => e.Id);
        endpoint.Property(e => e.Id).HasColumnName("id");
        endpoint.Property(e => e.Url).HasColumnName("url").HasMaxLength(2000).IsRequired();
        endpoint.Property(e => e.Events).HasColumnName("events").HasMaxLength(4000).IsRequired();
        endpoint.Property(e => e.Description).HasColumnName("description").HasMaxLength(500);
        endpoint.Property(e => e.Secret).HasColumnName("secret").HasMaxLength(200).IsRequired();
        endpoint.Property(e => e.PreviousSecret).HasColumnName("previous_secret").HasMaxLength(200);
        endpoint.Property(e => e.PreviousSecretUntil).HasColumnName("previous_secret_until");
        endpoint.Property(e => e.Enabled).HasColumnName("enabled");
        endpoint.Property(e => e.DisabledReason).HasColumnName("disabled_reason").HasMaxLength(2000);
        endpoint.Property(e => e.CreatedAt).HasColumnName("created_at");
    }
}

/// <summary>Maps <see cref="WebhookDeliveryRecord"/>.</summary>
internal sealed class WebhookDeliveryRecordConfiguration : IEntityTypeConfiguration<WebhookDeliveryRecord>
{
    public void Configure(EntityTypeBuilder<WebhookDeliveryRecord> delivery)
    {
        delivery.ToTable("webhook_deliveries");
        delivery.HasKey(d => d.Id);
        delivery.Property(d => d.Id).HasColumnName("id");
        delivery.Property(d => d.EndpointId).HasColumnName("endpoint_id");
        delivery.Property(d => d.WebhookId).HasColumnName("webhook_id").HasMaxLength(64).IsRequired();
        delivery.Property(d => d.EventType).HasColumnName("event_type").HasMaxLength(64).IsRequired();
        delivery.Property(d => d.Payload).HasColumnName("payload").IsRequired();
        delivery.Property(d => d.Status).HasColumnName("status").HasMaxLength(16).IsRequired();
        delivery.Property(d => d.Attempts).HasColumnName("attempts");
        delivery.Property(d => d.NextAttemptAt).HasColumnName("next_attempt_at");
        delivery.Property(d => d.LastAttemptAt).HasColumnName("last_attempt_at");
        delivery.Property(d => d.ResponseStatus).HasColumnName("response_status");
        delivery.Property(d => d.ResponseExcerpt).HasColumnName("response_excerpt").HasMaxLength(2000);
        delivery.Property(d => d.DurationMilliseconds).HasColumnName("duration_ms");
        delivery.Property(d => d.LeaseOwner).HasColumnName("lease_owner").HasMaxLength(200);
        delivery.Property(d => d.LeasedUntil).HasColumnName("leased_until");
        delivery.Property(d => d.CreatedAt).HasColumnName("created_at");
        delivery.HasOne<WebhookEndpointRecord>().WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
        // The claim: each endpoint's oldest pending delivery; the log: an endpoint's deliveries, newest first.
        delivery.HasIndex(d => new { d.EndpointId, d.Status, d.Id }).HasDatabaseName("ix_webhook_deliveries_endpoint_status");
    }
}
