using Crm.Channels.Ingestion;
using Crm.Channels.Replies;
using Crm.Channels.Storage;
using Crm.Channels.Tickets;
using Microsoft.Extensions.Logging;

namespace Crm.Channels.Email;

/// <summary>
/// Conversations an agent starts by email (<c>POST /tickets/outbound</c>): a new ticket of the inbox, for the contact
/// with the address (created when new), whose first message is the agent's mail, queued in the outbox like any reply.
/// Its Message-ID and the ticket's tag in the subject bring the customer's answer back into this ticket.
/// </summary>
internal sealed class OutboundEmails(
    ITicketStore store,
    ITicketContactStore contacts,
    IEnumerable<ITicketEventHandler> handlers,
    ConversationChanges changes,
    TimeProvider time,
    ILogger<OutboundEmails> logger)
{
    /// <summary>Creates the ticket with the agent's mail queued; the ticket then waits on the customer.</summary>
    /// <param name="inbox">The inbox the mail goes out from, which answers the conversation.</param>
    /// <param name="to">The customer's address, normalised.</param>
    /// <param name="cc">Addresses to copy in, normalised; the customer and our own are left out.</param>
    /// <param name="subject">The subject (the ticket's tag is added when sent).</param>
    /// <param name="text">The agent's mail.</param>
    /// <param name="author">The agent, as replies name them.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<TicketDetails> StartAsync(EmailInbox inbox, string to, IReadOnlyList<string> cc, string subject, string text, string? author, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var contact = await contacts.ResolveContactAsync(null, to, null, null, senderVerified: false, now, cancellationToken).ConfigureAwait(false);
        var ticket = new NewTicket(EmailReader.ChannelName, subject, contact.Id, IngestionPipeline.NewConversationKey(), now)
        {
            Cc = [.. cc.Where(a => a != to)],
            Inbox = inbox.Name,
        };
        var mail = new NewTicketMessage(EmailReader.ChannelName, EmailReplySender.NewMessageId(inbox, 0), MessageDirection.Outbound, author, text, null, [], now)
        {
            DeliveryStatus = DeliveryStatus.Queued,
        };
        var (created, stored) = await store.CreateTicketAsync(ticket, mail, cancellationToken).ConfigureAwait(false);
        // Sent, the conversation waits on the customer, as after any reply.
        created = await store.SetTicketStatusAsync(created.Id, TicketStatus.Pending, now, cancellationToken).ConfigureAwait(false) ?? created;
        changes.Notify(created.Id);
        await TicketEvents.RaiseAsync(handlers, new TicketEvent(TicketEventKind.TicketCreated, created, stored, false) { Contact = contact }, logger, cancellationToken).ConfigureAwait(false);
        await TicketEvents.RaiseAsync(handlers, new TicketEvent(TicketEventKind.ReplyQueued, created, stored, false), logger, cancellationToken).ConfigureAwait(false);
        return await store.GetTicketDetailsAsync(created.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Ticket {created.Id} vanished as it was created.");
    }
}
