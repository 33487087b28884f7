using Crm.Channels.Adapters;
using Crm.Channels.Tickets;

namespace Crm.Channels.WhatsApp;

/// <summary>Answers WhatsApp tickets through <see cref="IWhatsAppSender"/>, to the ticket contact's phone.</summary>
internal sealed class WhatsAppReplySender(IWhatsAppSender sender) : IChannelReplySender
{
    public string Channel => WhatsAppAdapter.ChannelName;

    public async Task<string> SendReplyAsync(TicketDetails ticket, string text, CancellationToken cancellationToken)
    {
        var phone = ticket.Contact?.Phone ?? throw new ChannelReplyException($"Ticket {ticket.Ticket.Id} has no contact phone to answer.");
        try
        {
            var result = await sender.SendAsync(new WhatsAppOutboundMessage(phone, text), cancellationToken).ConfigureAwait(false);
            return result.MessageSid;
        }
        catch (TwilioApiException ex)
        {
            throw new ChannelReplyException(ex.Message, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ChannelReplyException("Twilio could not be reached: " + ex.Message, ex);
        }
    }
}
