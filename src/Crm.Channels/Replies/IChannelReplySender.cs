using Crm.Channels.Tickets;

namespace Crm.Channels.Replies;

/// <summary>
/// Delivers an agent's reply to the customer on a ticket's own channel. The reply is already stored (in the outbox)
/// when this is called; the outbox calls it again after a temporary failure or a crash, so a sender should be
/// idempotent where its transport allows (e.g. by the message id it is given). Register one per channel with
/// <c>.AddReplySender&lt;T&gt;()</c>; chat, email and WhatsApp bring their own.
/// </summary>
public interface IChannelReplySender
{
    /// <summary>The channel this sender answers on.</summary>
    string Channel { get; }

    /// <summary>
    /// Decides, before anything is stored, whether this reply can be sent at all (e.g. WhatsApp's 24-hour window).
    /// </summary>
    /// <returns>Null to accept; otherwise why not, answered to the agent as 409.</returns>
    string? Refuse(TicketDetails ticket, ReplyTemplate? template, DateTimeOffset now) => null;

    /// <summary>
    /// Decides, before anything is stored, whether this channel can carry the agent's files. The default refuses any
    /// file, so a sender that cannot deliver them never drops them silently; chat, email and WhatsApp accept them.
    /// </summary>
    /// <returns>Null to accept; otherwise why not, answered to the agent as 409.</returns>
    string? RefuseAttachments(TicketDetails ticket, IReadOnlyList<AttachmentInfo> files) =>
        files is { Count: > 0 } ? $"Replies on {Channel} cannot carry files." : null;

    /// <summary>The id to store the reply under before it is sent (email mints its Message-ID here, so answers thread back).</summary>
    string NewMessageId(TicketDetails ticket) => $"{Channel}-reply-{Guid.NewGuid():N}";

    /// <summary>Sends the reply.</summary>
    /// <param name="ticket">The ticket with its contact and messages (the reply among them).</param>
    /// <param name="reply">The stored outbound message to deliver.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>What the transport said: its id for the message, when it has one, and the status reached.</returns>
    /// <exception cref="ChannelReplyException">The transport refused the reply, for now or for good.</exception>
    /// <remarks>
    /// The outbox tries again after a temporary <see cref="ChannelReplyException"/> and after the network's, a timeout's,
    /// TLS's, I/O's and a database's exceptions; any other exception (a bug, a misconfigured client, a reply that cannot
    /// be built) fails the reply at once with the exception's message, so the agent sees it instead of hours of retries.
    /// </remarks>
    Task<ReplyDelivery> SendAsync(TicketDetails ticket, TicketMessage reply, CancellationToken cancellationToken);
}
