using Crm.Channels.Attachments;
using Crm.Channels.Ingestion;
using Crm.Channels.Tickets;
using Crm.Contacts;
using Microsoft.Extensions.Logging;

namespace Crm.Channels.Email;

/// <summary>
/// Mail that could not become a ticket (no sender, broken MIME, a rule it breaks) is kept here rather than refused or
/// skipped, with its raw bytes in the attachment store, until an agent makes a ticket of it or deletes it.
/// </summary>
public sealed partial class EmailQuarantine
{
    /// <summary>The name of the raw message when it is attached to a ticket made from the quarantine.</summary>
    public const string RawFileName = "message.eml";

    private readonly IMailboxStateStore _state;
    private readonly IAttachmentStore _attachments;
    private readonly EmailIntake _intake;
    private readonly IIngestionPipeline _pipeline;
    private readonly TimeProvider _time;
    private readonly ILogger<EmailQuarantine> _logger;

    /// <summary>Creates the quarantine.</summary>
    public EmailQuarantine(IMailboxStateStore state, IAttachmentStore attachments, EmailIntake intake, IIngestionPipeline pipeline, TimeProvider time, ILogger<EmailQuarantine> logger)
    {
        _state = state;
        _attachments = attachments;
        _intake = intake;
        _pipeline = pipeline;
        _time = time;
        _logger = logger;
    }

    /// <summary>Keeps a message that could not be taken, raw bytes included; answers its quarantine id.</summary>
    public async Task<long> KeepAsync(string source, uint? uid, byte[] raw, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var rawKey = (await _intake.KeepWholeAsync(raw, cancellationToken).ConfigureAwait(false)).Key;
        var (sender, subject) = EmailReader.Peek(raw);
        var id = await _state.QuarantineAsync(
            new QuarantinedEmail(source, uid, reason, raw.Length, _time.GetUtcNow()) { Sender = sender, Subject = subject, RawKey = rawKey },
            cancellationToken).ConfigureAwait(false);
        LogKept(_logger, id, source, reason);
        return id;
    }

    /// <summary>Records a message whose bytes could not be kept (larger than the channel takes).</summary>
    public async Task<long> RecordAsync(string source, uint? uid, long size, string reason, CancellationToken cancellationToken)
    {
        var id = await _state.QuarantineAsync(new QuarantinedEmail(source, uid, reason, size, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        LogKept(_logger, id, source, reason);
        return id;
    }

    /// <summary>The quarantined messages, newest first.</summary>
    public Task<IReadOnlyList<QuarantinedEmail>> ListAsync(int limit, CancellationToken cancellationToken) => _state.ListQuarantineAsync(limit, cancellationToken);

    /// <summary>One quarantined message, or null.</summary>
    public Task<QuarantinedEmail?> GetAsync(long id, CancellationToken cancellationToken) => _state.GetQuarantinedAsync(id, cancellationToken);

    /// <summary>The raw message, or null when it was not kept.</summary>
    public async Task<Stream?> OpenRawAsync(QuarantinedEmail email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        return email.RawKey is null ? null : await _attachments.OpenReadAsync(email.RawKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a quarantined message; false when there was none.</summary>
    public async Task<bool> DeleteAsync(long id, CancellationToken cancellationToken)
    {
        var removed = await _state.RemoveQuarantinedAsync(id, cancellationToken).ConfigureAwait(false);
        if (removed)
        {
            LogDeleted(_logger, id);
        }

        return removed;
    }

    /// <summary>
    /// Makes a ticket of a quarantined message: read as usual when it can be, with <paramref name="senderEmail"/> as the
    /// customer when given; otherwise a message by that sender whose text says so and whose attachment is the original.
    /// </summary>
    /// <returns>The ingestion result, or null when there is no such quarantined message.</returns>
    /// <exception cref="InvalidInboundMessageException">No usable sender address: the mail names none and none was given, or the given one is not valid.</exception>
    public async Task<IngestionResult?> MakeTicketAsync(long id, string? senderEmail, CancellationToken cancellationToken)
    {
        var email = await _state.GetQuarantinedAsync(id, cancellationToken).ConfigureAwait(false);
        if (email is null)
        {
            return null;
        }

        if (!string.IsNullOrWhiteSpace(senderEmail) && ContactIdentity.NormalizeEmail(senderEmail) is null)
        {
            throw new InvalidInboundMessageException(new Dictionary<string, string[]> { ["email"] = ["Not a valid email address."] });
        }

        var raw = await ReadRawAsync(email, cancellationToken).ConfigureAwait(false);
        var message = raw is null ? null : await ReadAsMessageAsync(raw, senderEmail, cancellationToken).ConfigureAwait(false);
        var given = string.IsNullOrWhiteSpace(senderEmail) ? null : new SenderIdentity(Email: senderEmail.Trim(), Name: message?.Sender.Name);
        if (message is null)
        {
            if (given is null)
            {
                throw new InvalidInboundMessageException(new Dictionary<string, string[]> { ["email"] = ["The message names no usable sender: give the customer's address."] });
            }

            message = new InboundMessage
            {
                Channel = EmailReader.ChannelName,
                ExternalMessageId = raw is null ? $"quarantine-{id}@crm.synthetic" : EmailReader.SyntheticMessageId(raw),
                Sender = given,
                Subject = email.Subject ?? "",
                Text = raw is null
                    ? $"A message of {email.Size} bytes could not be kept ({email.Reason})."
                    : $"This message could not be read ({email.Reason}); the original is attached as {RawFileName}.",
                Attachments = raw is null ? [] : [new AttachmentInfo(RawFileName, "message/rfc822", raw.Length) { StorageKey = email.RawKey }],
            };
        }
        else if (given is not null)
        {
            message = message with { Sender = given };
        }
        else if (message.Sender.Email is null && message.Sender.Phone is null)
        {
            throw new InvalidInboundMessageException(new Dictionary<string, string[]> { ["email"] = ["The message names no usable sender: give the customer's address."] });
        }

        var result = await _pipeline.IngestAsync(message, cancellationToken).ConfigureAwait(false);
        await _state.RemoveQuarantinedAsync(id, cancellationToken).ConfigureAwait(false);
        LogMadeTicket(_logger, id, result.Ticket.Id);
        return result;
    }

    private async Task<byte[]?> ReadRawAsync(QuarantinedEmail email, CancellationToken cancellationToken)
    {
        await using var content = await OpenRawAsync(email, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>The mail read as a ticket message, whatever it was classified as (the agent decided), or null when it cannot be read.</summary>
    private async Task<InboundMessage?> ReadAsMessageAsync(byte[] raw, string? senderEmail, CancellationToken cancellationToken)
    {
        try
        {
            return (await _intake.ReadForTicketAsync(raw, string.IsNullOrWhiteSpace(senderEmail) ? null : senderEmail.Trim(), cancellationToken).ConfigureAwait(false)).Message;
        }
        catch (Exception ex) when (ex is UnreadableEmailException or EmailTooComplexException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 2206, Level = LogLevel.Warning, Message = "Quarantined email {Id} from {Source}: {Reason}")]
    private static partial void LogKept(ILogger logger, long id, string source, string reason);

    [LoggerMessage(EventId = 2207, Level = LogLevel.Information, Message = "Made ticket {TicketId} from quarantined email {Id}")]
    private static partial void LogMadeTicket(ILogger logger, long id, long ticketId);

    [LoggerMessage(EventId = 2208, Level = LogLevel.Information, Message = "Deleted quarantined email {Id}")]
    private static partial void LogDeleted(ILogger logger, long id);
}
