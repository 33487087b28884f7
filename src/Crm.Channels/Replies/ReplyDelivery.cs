using Crm.Channels.Tickets;

namespace Crm.Channels.Replies;

/// <summary>What a transport answered to a sent reply.</summary>
/// <param name="ExternalMessageId">The transport's id for the message (Twilio's MessageSid), when it differs from the stored one.</param>
/// <param name="Status">The status reached: usually <see cref="DeliveryStatus.Sent"/>.</param>
public sealed record ReplyDelivery(string? ExternalMessageId = null, DeliveryStatus Status = DeliveryStatus.Sent);
