using Crm.Channels.Tickets;

namespace Crm.Channels.Storage;

/// <summary>What one attempt to send an outbound message came to.</summary>
/// <param name="Status"><see cref="DeliveryStatus.Sent"/> (or a later status), <see cref="DeliveryStatus.Failed"/>, or <see cref="DeliveryStatus.Queued"/> to retry at <paramref name="RetryAt"/>.</param>
/// <param name="ExternalMessageId">The transport's id for the sent message, when it assigned one (Twilio's MessageSid).</param>
/// <param name="Error">Why it failed or will be retried.</param>
/// <param name="RetryAt">When to try again, for <see cref="DeliveryStatus.Queued"/>.</param>
public sealed record ReplyAttemptOutcome(DeliveryStatus Status, string? ExternalMessageId = null, string? Error = null, DateTimeOffset? RetryAt = null);
