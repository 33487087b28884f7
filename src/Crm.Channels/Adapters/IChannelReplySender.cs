using Crm.Channels.Tickets;

namespace Crm.Channels.Adapters;

/// <summary>
/// Sends an agent's reply to the customer on a ticket's own channel. Register one per channel that can
/// answer (WhatsApp registers its own); <c>POST /tickets/{id}/replies</c> uses it and stores the reply.
/// </summary>
public interface IChannelReplySender
{
    /// <summary>The channel this sender answers on.</summary>
    string Channel { get; }

    /// <summary>Sends the reply.</summary>
    /// <returns>The transport's id for the sent message, stored as its external message id.</returns>
    /// <exception cref="ChannelReplyException">The transport refused the reply.</exception>
    Task<string> SendReplyAsync(TicketDetails ticket, string text, CancellationToken cancellationToken);
}
