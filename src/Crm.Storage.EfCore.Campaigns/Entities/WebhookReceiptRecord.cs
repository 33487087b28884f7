using Crm.Storage.EfCore.Entities;
namespace Crm.Storage.EfCore.Campaigns.Entities;

/// <summary>
/// A row of <c>webhook_receipts</c>: a provider event or signature token already taken, so a replayed webhook changes
/// nothing, on any host instance.
/// </summary>
internal sealed class WebhookReceiptRecord : ICrmRecord
{
    /// <summary>The provider (<c>ses</c>, <c>sendgrid</c>, <c>mailgun</c>, …).</summary>
    public string Provider { get; set; } = "";

    /// <summary>The event's or signature's unique id.</summary>
    public string EventId { get; set; } = "";

    /// <summary>When it was taken (receipts older than the replay window are pruned).</summary>
    public DateTimeOffset ReceivedAt { get; set; }
}
