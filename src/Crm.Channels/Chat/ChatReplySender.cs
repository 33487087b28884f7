using Crm.Channels.Replies;
using Crm.Channels.Tickets;

namespace Crm.Channels.Chat;

/// <summary>
/// Chat replies need no transport: the visitor's widget reads them from the store (transcript and event stream),
/// so a queued chat reply is sent as soon as the outbox sees it.
/// </summary>
internal sealed class ChatReplySender : IChannelReplySender
{
    public string Channel => ChatAdapter.ChannelName;

    public string? Refuse(TicketDetails ticket, ReplyTemplate? template, DateTimeOffset now) =>
        template is null ? null : "Chat replies are free text; templates are for WhatsApp.";

    /// <summary>The visitor's transcript shows each file with a signed link.</summary>
    public string? RefuseAttachments(TicketDetails ticket, IReadOnlyList<AttachmentInfo> files) => null;

    public Task<ReplyDelivery> SendAsync(TicketDetails ticket, TicketMessage reply, CancellationToken cancellationToken) =>
        Task.FromResult(new ReplyDelivery());
}
