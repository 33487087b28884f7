using System.Diagnostics;
using System.Security.Cryptography;
using Crm.Contacts;
using Crm.Channels.Diagnostics;
using Crm.Channels.Storage;
using Crm.Channels.Tickets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Ingestion;

/// <summary>The channel-agnostic ingestion pipeline.</summary>
internal sealed partial class IngestionPipeline : IIngestionPipeline
{
    private readonly ITicketStore _store;
    private readonly ITicketContactStore _contacts;
    private readonly IEnumerable<ITicketEventHandler> _handlers;
    private readonly TimeProvider _timeProvider;
    private readonly IngestionOptions _options;
    private readonly ILogger<IngestionPipeline> _logger;
    private readonly long _maxTicketAttachmentBytes;

    /// <summary>Creates the pipeline.</summary>
    public IngestionPipeline(
        ITicketStore store,
        ITicketContactStore contacts,
        IEnumerable<ITicketEventHandler> handlers,
        TimeProvider timeProvider,
        IOptions<IngestionOptions> options,
        ILogger<IngestionPipeline> logger)
        : this(store, contacts, handlers, timeProvider, options, Options.Create(new Attachments.AttachmentOptions()), logger)
    {
    }

    /// <summary>Creates the pipeline, keeping each ticket's attachments within <see cref="Attachments.AttachmentOptions.MaxTicketBytes"/>.</summary>
    public IngestionPipeline(
        ITicketStore store,
        ITicketContactStore contacts,
        IEnumerable<ITicketEventHandler> handlers,
        TimeProvider timeProvider,
        IOptions<IngestionOptions> options,
        IOptions<Attachments.AttachmentOptions> attachmentOptions,
        ILogger<IngestionPipeline> logger)
    {
        ArgumentNullException.ThrowIfNull(attachmentOptions);
        _maxTicketAttachmentBytes = attachmentOptions.Value.MaxTicketBytes;
        _store = store;
        _contacts = contacts;
        _handlers = handlers;
        _timeProvider = timeProvider;
        _options = options.Value;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task<IngestionResult> IngestAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var activity = CrmChannelsTelemetry.ActivitySource.StartActivity("crm.channels.ingest", ActivityKind.Internal);
        activity?.SetTag("crm.channel", message.Channel);

        string? email, phone;
        try
        {
            (email, phone) = Validate(message);
        }
        catch (InvalidInboundMessageException ex)
        {
            activity?.SetTag("crm.outcome", "invalid");
            activity?.SetStatus(ActivityStatusCode.Error, string.Join(", ", ex.Errors.Keys));
            throw;
        }

        message = message with
        {
            ExternalMessageId = ExternalMessageIds.Fit(message.ExternalMessageId, _options.MaxExternalIdLength),
            Thread = message.Thread with { ReplyTo = message.Thread.ReplyTo.Select(id => ExternalMessageIds.Fit(id, _options.MaxExternalIdLength)).ToList() },
        };
        var receivedAt = message.ReceivedAt ?? _timeProvider.GetUtcNow();

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var result = await IngestOnceAsync(message, email, phone, receivedAt, cancellationToken).ConfigureAwait(false);
                activity?.SetTag("crm.outcome", OutcomeTag(result.Outcome));
                activity?.SetTag("crm.ticket_id", result.Ticket.Id);
                CrmChannelsTelemetry.MessagesIngested.Add(1, new("crm.channel", message.Channel), new("crm.outcome", OutcomeTag(result.Outcome)));
                if (result.Outcome == IngestionOutcome.Duplicate)
                {
                    LogDuplicate(_logger, message.Channel, message.ExternalMessageId, result.Ticket.Id);
                }
                else
                {
                    LogIngested(_logger, message.Channel, result.Outcome, result.Ticket.Id, result.Message.Id);
                    await RaiseAsync(result, cancellationToken).ConfigureAwait(false);
                }

                return result;
            }
            catch (DuplicateMessageException) when (attempt < _options.ConflictRetries)
            {
                // Another delivery of the same message won the race; the next attempt finds it and answers Duplicate.
            }
            catch (KeyNotFoundException) when (attempt < _options.ConflictRetries)
            {
                // The ticket we were appending to vanished (deleted by an agent); thread again.
            }
        }
    }

    private async Task<IngestionResult> IngestOnceAsync(InboundMessage message, string? email, string? phone, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var existing = await _store.FindMessageAsync(message.Channel, message.ExternalMessageId, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            var ticketOfExisting = await _store.FindTicketAsync(existing.TicketId, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Message {existing.Id} names ticket {existing.TicketId}, which does not exist.");
            if (!ExternalMessageIds.IsForOtherSender(message.ExternalMessageId) && !await IsSameSenderAsync(existing, message, email, phone, cancellationToken).ConfigureAwait(false))
            {
                // Another sender reused this id: theirs is a different message, kept under an id of its own.
                var own = ExternalMessageIds.ForOtherSender(message.ExternalMessageId, email ?? phone ?? ExternalOf(message)?.ToString() ?? "", _options.MaxExternalIdLength);
                LogIdReused(_logger, message.Channel, message.ExternalMessageId);
                return await IngestOnceAsync(message with { ExternalMessageId = own }, email, phone, receivedAt, cancellationToken).ConfigureAwait(false);
            }

            return new IngestionResult(IngestionOutcome.Duplicate, ticketOfExisting, existing);
        }

        ContactSummary? contact = null;
        var external = ExternalOf(message);
        if (email is not null || phone is not null || external is not null)
        {
            contact = await _contacts.ResolveContactAsync(external, email, phone, NullIfBlank(message.Sender.Name), message.Sender.IsVerified, receivedAt, cancellationToken).ConfigureAwait(false);
        }

        var newMessage = new NewTicketMessage(
            message.Channel,
            message.ExternalMessageId,
            MessageDirection.Inbound,
            NullIfBlank(message.Sender.Name) ?? email ?? phone ?? external?.ToString(),
            message.Text,
            message.Html,
            message.Attachments,
            receivedAt)
        {
            IdentityVerified = message.Sender.IsVerified,
            QuotedMessageIds = message.Thread.ReplyTo,
        };

        var ticket = await FindConversationAsync(message, contact, cancellationToken).ConfigureAwait(false);
        if (ticket is not null && await _store.CountMessagesAsync(ticket.Id, cancellationToken).ConfigureAwait(false) >= _options.MaxMessagesPerTicket)
        {
            LogTicketFull(_logger, ticket.Id, _options.MaxMessagesPerTicket);
            ticket = null;
        }

        if (ticket is null)
        {
            var newTicket = new NewTicket(message.Channel, SubjectFor(message), contact?.Id, NewConversationKey(), receivedAt)
            {
                Cc = [.. message.Cc.Where(a => a != email).Take(Email.EmailReader.MaxCc)],
                Inbox = message.Inbox,
            };
            var (created, stored) = await _store.CreateTicketAsync(newTicket, newMessage, cancellationToken).ConfigureAwait(false);
            return new IngestionResult(IngestionOutcome.TicketCreated, created, stored) { Contact = contact };
        }

        // Joined by a quoted Message-ID from another address (a colleague in Cc, or anyone who quoted the thread): kept on
        // this ticket, shown to agents as from another sender, and never made the ticket's contact.
        if (contact is not null && ticket.ContactId is { } ticketContact && ticketContact != contact.Id)
        {
            newMessage = newMessage with { OtherSender = email ?? phone ?? external?.ToString() };
        }

        // People copied in later join the ticket's Cc (a reply keeps them all); the customer is never their own Cc.
        if (message.Cc.Except(ticket.Cc, StringComparer.Ordinal).Any(a => a != email))
        {
            newMessage = newMessage with { TicketCc = [.. ticket.Cc.Union(message.Cc, StringComparer.Ordinal).Where(a => a != email).Take(Email.EmailReader.MaxCc)] };
        }

        if (newMessage.Attachments.Any(a => a.StorageKey is not null))
        {
            newMessage = newMessage with { Attachments = await WithinTicketLimitAsync(ticket.Id, newMessage.Attachments, cancellationToken).ConfigureAwait(false) };
        }

        // A customer's reply puts the ticket back in the agents' queue, whether it was solved or waiting on them.
        var (appendedTo, appended) = await _store.AppendMessageAsync(ticket.Id, newMessage, TicketStatus.Open, cancellationToken).ConfigureAwait(false);
        return new IngestionResult(IngestionOutcome.MessageAppended, appendedTo, appended, Reopened: ticket.Status is TicketStatus.Solved or TicketStatus.Pending) { Contact = contact };
    }

    /// <summary>
    /// Keeps a ticket's attachments within the per-ticket limit: files beyond it are recorded as not kept (their bytes
    /// go with the retention sweep), and the message itself is stored as ever.
    /// </summary>
    private async Task<IReadOnlyList<AttachmentInfo>> WithinTicketLimitAsync(long ticketId, IReadOnlyList<AttachmentInfo> attachments, CancellationToken cancellationToken)
    {
        var details = await _store.GetTicketDetailsAsync(ticketId, cancellationToken).ConfigureAwait(false);
        var used = details?.KeptAttachmentBytes ?? 0;
        var kept = new List<AttachmentInfo>(attachments.Count);
        foreach (var attachment in attachments)
        {
            if (attachment.StorageKey is not null && used + (attachment.Size ?? 0) > _maxTicketAttachmentBytes)
            {
                kept.Add(attachment with { StorageKey = null, NotKept = "too large: the ticket's attachment limit was reached" });
                continue;
            }

            used += attachment.StorageKey is null ? 0 : attachment.Size ?? 0;
            kept.Add(attachment);
        }

        return kept;
    }

    private async Task<Ticket?> FindConversationAsync(InboundMessage message, ContactSummary? contact, CancellationToken cancellationToken)
    {
        var hints = message.Thread;
        if (hints.ReplyTo.Count > 0)
        {
            var replied = await _store.FindTicketByMessageIdsAsync(message.Channel, hints.ReplyTo, cancellationToken).ConfigureAwait(false);
            if (IsJoinable(replied))
            {
                return replied;
            }
        }

        if (!string.IsNullOrEmpty(hints.ConversationKey))
        {
            var keyed = await _store.FindTicketByConversationKeyAsync(hints.ConversationKey, cancellationToken).ConfigureAwait(false);
            if (IsJoinable(keyed) && keyed!.Channel == message.Channel)
            {
                return keyed;
            }
        }

        if (hints.TicketNumber is { } number && contact is not null)
        {
            // A quoted ticket number is only trusted from that ticket's own contact: anyone can type [#123].
            var numbered = await _store.FindTicketAsync(number, cancellationToken).ConfigureAwait(false);
            if (IsJoinable(numbered) && numbered!.ContactId == contact.Id)
            {
                return numbered;
            }
        }

        if (hints.JoinOpenTicketOfSender && contact is not null)
        {
            return await _store.FindLatestUnclosedTicketAsync(message.Channel, contact.Id, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>A redelivery comes from the same sender: the stored message's author, or its ticket's contact.</summary>
    private async Task<bool> IsSameSenderAsync(TicketMessage existing, InboundMessage message, string? email, string? phone, CancellationToken cancellationToken)
    {
        var external = ExternalOf(message);
        if (string.Equals(existing.Author, NullIfBlank(message.Sender.Name) ?? email ?? phone ?? external?.ToString(), StringComparison.Ordinal))
        {
            return true;
        }

        var contact = (await _store.GetTicketDetailsAsync(existing.TicketId, cancellationToken).ConfigureAwait(false))?.Contact;
        return contact is not null && ((email is not null && contact.Email == email) || (phone is not null && contact.Phone == phone)
            || (external is not null && contact.ExternalIds.GetValueOrDefault(external.Channel) == external.Id));
    }

    /// <summary>The sender's id on the message's channel, when its adapter gave one.</summary>
    private static ExternalIdentity? ExternalOf(InboundMessage message)
        => string.IsNullOrWhiteSpace(message.Sender.ExternalId) ? null : new ExternalIdentity(message.Channel, message.Sender.ExternalId.Trim());

    private static bool IsJoinable(Ticket? ticket) => ticket is not null && ticket.Status != TicketStatus.Closed;

    private (string? Email, string? Phone) Validate(InboundMessage message)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!ChannelName.IsValid(message.Channel))
        {
            errors["channel"] = ["The channel must be 1 to 64 lower-case letters, digits, '-' or '_'."];
        }

        if (string.IsNullOrWhiteSpace(message.ExternalMessageId))
        {
            errors["externalMessageId"] = ["The external message id is required."];
        }

        if (VisibleText.IsBlank(message.Text) && string.IsNullOrWhiteSpace(message.Html) && message.Attachments.Count == 0)
        {
            errors["text"] = ["The message has no text, HTML or attachment."];
        }
        else if (message.Text.Length > _options.MaxTextLength)
        {
            errors["text"] = [$"The message text is longer than {_options.MaxTextLength} characters."];
        }

        string? email = null;
        if (!string.IsNullOrWhiteSpace(message.Sender.Email))
        {
            email = ContactIdentity.NormalizeEmail(message.Sender.Email);
            if (email is null)
            {
                errors["sender.email"] = ["The sender's email address is not valid."];
            }
        }

        string? phone = null;
        if (!string.IsNullOrWhiteSpace(message.Sender.Phone))
        {
            phone = ContactIdentity.NormalizePhone(message.Sender.Phone);
            if (phone is null)
            {
                errors["sender.phone"] = ["The sender's phone number is not an international (E.164) number."];
            }
        }

        if (message.Sender.ExternalId is { } externalId && !string.IsNullOrWhiteSpace(externalId)
            && (externalId.Trim().Length > 256 || externalId.Any(char.IsControl)))
        {
            errors["sender.externalId"] = ["The sender's channel id is longer than 256 characters or holds control characters."];
        }

        if (message.Sender.Name is { Length: > 256 })
        {
            errors["sender.name"] = ["The sender's name is longer than 256 characters."];
        }

        if (message.Inbox is not null && !InboxName.IsValid(message.Inbox))
        {
            errors["inbox"] = [$"The inbox must be {InboxName.Rule}."];
        }

        if (errors.Count > 0)
        {
            CrmChannelsTelemetry.MessagesRejected.Add(1, new("crm.channel", message.Channel), new("crm.reason", "invalid"));
            LogRejected(_logger, message.Channel, string.Join(", ", errors.Keys));
            throw new InvalidInboundMessageException(errors);
        }

        return (email, phone);
    }

    private Task RaiseAsync(IngestionResult result, CancellationToken cancellationToken)
    {
        var kind = result.Outcome == IngestionOutcome.TicketCreated ? TicketEventKind.TicketCreated : TicketEventKind.MessageAdded;
        return TicketEvents.RaiseAsync(_handlers, new TicketEvent(kind, result.Ticket, result.Message, result.Reopened) { Contact = result.Contact }, _logger, cancellationToken);
    }

    private static string? SubjectFor(InboundMessage message)
    {
        // A transport with subjects (email) keeps an empty one empty; one without (chat, WhatsApp) is titled by its text.
        var subject = message.Subject is not null
            ? NullIfBlank(message.Subject)
            : NullIfBlank(message.Text) ?? message.Attachments.FirstOrDefault()?.FileName;
        if (subject is null)
        {
            return null;
        }

        subject = subject.ReplaceLineEndings(" ").Trim();
        return subject.Length <= 120 ? subject : string.Concat(subject.AsSpan(0, 119), "…");
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    internal static string NewConversationKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The outcome as the span's and counter's tag.</summary>
    private static string OutcomeTag(IngestionOutcome outcome) => outcome switch
    {
        IngestionOutcome.TicketCreated => "ticket_created",
        IngestionOutcome.MessageAppended => "message_appended",
        _ => "duplicate",
    };

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Ingested a {Channel} message: {Outcome} on ticket {TicketId} (message {MessageId})")]
    private static partial void LogIngested(ILogger logger, string channel, IngestionOutcome outcome, long ticketId, long messageId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Ignored a redelivered {Channel} message {ExternalMessageId}: already stored on ticket {TicketId}")]
    private static partial void LogDuplicate(ILogger logger, string channel, string externalMessageId, long ticketId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Refused a {Channel} message; invalid fields: {Fields}")]
    private static partial void LogRejected(ILogger logger, string channel, string fields);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Information, Message = "Ticket {TicketId} holds {Limit} messages, the most one ticket takes; the message starts a new ticket")]
    private static partial void LogTicketFull(ILogger logger, long ticketId, int limit);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "A {Channel} message reuses the id {ExternalMessageId} of another sender's message; it is stored as a message of its own")]
    private static partial void LogIdReused(ILogger logger, string channel, string externalMessageId);

}
