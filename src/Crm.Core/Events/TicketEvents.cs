namespace Crm.Events;

/// <summary><c>ticket.created</c>: a customer's first message opened a ticket.</summary>
/// <param name="TicketId">The new ticket.</param>
/// <param name="Channel">Where the customer wrote: <c>chat</c>, <c>email</c>, <c>whatsapp</c> or a custom channel.</param>
/// <param name="Subject">The ticket's subject, if the channel has one.</param>
/// <param name="ContactId">The contact the sender was matched to or created as.</param>
/// <param name="MessageId">The first message.</param>
/// <param name="Text">The first message's text.</param>
public sealed record TicketCreatedEvent(long TicketId, string Channel, string? Subject, long? ContactId, long MessageId, string Text) : CrmEvent
{
    /// <inheritdoc />
    public override string Type => CrmEventTypes.TicketCreated;
}

/// <summary><c>ticket.message_received</c>: a customer wrote again on an existing ticket.</summary>
/// <param name="TicketId">The ticket the message was threaded into.</param>
/// <param name="Channel">The channel it came on.</param>
/// <param name="ContactId">The ticket's contact.</param>
/// <param name="MessageId">The new message.</param>
/// <param name="Text">Its text.</param>
/// <param name="Reopened">True when the message reopened a solved or closed ticket.</param>
public sealed record TicketMessageReceivedEvent(long TicketId, string Channel, long? ContactId, long MessageId, string Text, bool Reopened) : CrmEvent
{
    /// <inheritdoc />
    public override string Type => CrmEventTypes.TicketMessageReceived;
}

/// <summary><c>ticket.status_changed</c>: a ticket's status changed (<c>open</c>, <c>pending</c>, <c>solved</c>, <c>closed</c>).</summary>
/// <param name="TicketId">The ticket.</param>
/// <param name="Status">Its status now.</param>
/// <param name="PreviousStatus">Its status before.</param>
public sealed record TicketStatusChangedEvent(long TicketId, string Status, string PreviousStatus) : CrmEvent
{
    /// <inheritdoc />
    public override string Type => CrmEventTypes.TicketStatusChanged;
}

/// <summary><c>ticket.reply_delivery_changed</c>: an agent's reply moved on (<c>queued</c>, <c>sent</c>, <c>delivered</c>, <c>read</c>, <c>failed</c>).</summary>
/// <param name="TicketId">The ticket.</param>
/// <param name="MessageId">The reply.</param>
/// <param name="Channel">The channel it goes out on.</param>
/// <param name="Status">Its delivery status now.</param>
/// <param name="Error">Why it failed or will be retried, if it did.</param>
public sealed record TicketReplyDeliveryChangedEvent(long TicketId, long MessageId, string Channel, string Status, string? Error) : CrmEvent
{
    /// <inheritdoc />
    public override string Type => CrmEventTypes.TicketReplyDeliveryChanged;
}
