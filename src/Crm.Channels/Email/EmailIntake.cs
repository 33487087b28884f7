using Crm.Mail;
using Crm.Channels.Attachments;
using Crm.Channels.Ingestion;
using Crm.Channels.Tickets;
using MimeKit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Email;

/// <summary>The one path every email takes, polled or posted: read, classify, hand bounces to the sink, ingest the rest.</summary>
public sealed partial class EmailIntake
{
    private readonly IIngestionPipeline _pipeline;
    private readonly IEnumerable<IBounceSink> _bounceSinks;
    private readonly IEnumerable<IUnsubscribeMailSink> _unsubscribeSinks;
    private readonly EmailOptions _options;
    private readonly IAttachmentStore _attachments;
    private readonly AttachmentOptions _attachmentOptions;
    private readonly int _maxTextLength;
    private readonly ILogger<EmailIntake> _logger;

    /// <summary>Creates the intake.</summary>
    public EmailIntake(
        IIngestionPipeline pipeline,
        IEnumerable<IBounceSink> bounceSinks,
        IEnumerable<IUnsubscribeMailSink> unsubscribeSinks,
        IAttachmentStore attachments,
        IOptions<AttachmentOptions> attachmentOptions,
        IOptions<EmailOptions> options,
        IOptions<IngestionOptions> ingestionOptions,
        ILogger<EmailIntake> logger)
    {
        ArgumentNullException.ThrowIfNull(ingestionOptions);
        _maxTextLength = ingestionOptions.Value.MaxTextLength;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(attachmentOptions);
        _pipeline = pipeline;
        _bounceSinks = bounceSinks;
        _unsubscribeSinks = unsubscribeSinks;
        _attachments = attachments;
        _attachmentOptions = attachmentOptions.Value;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>The channel's settings.</summary>
    public EmailOptions Options => _options;

    /// <summary>Handles one raw message: bounces go to the bounce sinks, auto-replies are dropped, messages are ingested.</summary>
    /// <exception cref="UnreadableEmailException">Not a usable email.</exception>
    /// <exception cref="InvalidInboundMessageException">Readable, but breaks an ingestion rule.</exception>
    public Task<EmailIntakeResult> ProcessAsync(byte[] raw, CancellationToken cancellationToken) => ProcessAsync(raw, null, cancellationToken);

    /// <summary>Handles one raw message taken from a mailbox of <paramref name="inbox"/>.</summary>
    /// <param name="raw">The message.</param>
    /// <param name="inbox">The inbox its ticket belongs to when its recipients name none of our addresses.</param>
    /// <param name="cancellationToken">Cancels the handling.</param>
    /// <exception cref="UnreadableEmailException">Not a usable email.</exception>
    /// <exception cref="InvalidInboundMessageException">Readable, but breaks an ingestion rule.</exception>
    public async Task<EmailIntakeResult> ProcessAsync(byte[] raw, string? inbox, CancellationToken cancellationToken)
    {
        var read = (await ClassifyAsync(raw, cancellationToken).ConfigureAwait(false)).ForInbox(inbox);
        IngestionResult? result = null;
        try
        {
            result = read.Message is null ? null : await _pipeline.IngestAsync(read.Message, cancellationToken).ConfigureAwait(false);
            return new EmailIntakeResult(read.Kind, result);
        }
        finally
        {
            // Files of a bounce, a redelivery, a refused message or past the ticket's limit are not kept: nothing stays behind.
            var kept = result is { Outcome: not IngestionOutcome.Duplicate } ? result.Message.Attachments : [];
            await Attachments.RequestUploads.DiscardAsync(_attachments, read.NewContent, kept, _logger).ConfigureAwait(false);
        }
    }

    /// <summary>Reads one raw message and deals with bounces and auto-replies; a message for a ticket comes back un-ingested.</summary>
    /// <exception cref="UnreadableEmailException">Not a usable email.</exception>
    public async Task<EmailReadResult> ClassifyAsync(byte[] raw, CancellationToken cancellationToken)
    {
        var read = await ReadForTicketAsync(raw, senderWhenMissing: null, cancellationToken).ConfigureAwait(false);
        if (read.Kind == EmailKind.Bounce)
        {
            var matched = false;
            foreach (var sink in _bounceSinks)
            {
                matched |= await sink.RecordAsync(read.Report!, cancellationToken).ConfigureAwait(false);
            }

            LogBounce(_logger, read.Reason, read.Report!.FailedRecipients.Count, matched);
            // A report nobody can tie to our mail changes nothing; agents get to see it instead.
            return matched ? read with { Message = null } : read with { Kind = EmailKind.UnmatchedBounce };
        }

        if (read.Kind == EmailKind.AutoReply)
        {
            LogAutoReply(_logger, read.Reason);
        }

        if (read is { Kind: EmailKind.Message, Message: { Subject: { } subject } message } && subject.Contains("unsubscribe", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var sink in _unsubscribeSinks)
            {
                if (await sink.TryUnsubscribeAsync(message.Sender.Email ?? "", subject, cancellationToken).ConfigureAwait(false))
                {
                    LogUnsubscribeMail(_logger);
                    return read with { Kind = EmailKind.Unsubscribe, Message = null, Reason = "List-Unsubscribe mailto" };
                }
            }
        }

        return read;
    }

    /// <summary>
    /// Reads one raw message and keeps its attachments, without acting on what it is (bounces are not recorded): for
    /// <see cref="ClassifyAsync"/> and for an agent making a ticket of quarantined mail.
    /// </summary>
    /// <param name="raw">The message.</param>
    /// <param name="senderWhenMissing">The customer's address when the message names no usable sender (an agent's word).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="UnreadableEmailException">Not a usable email.</exception>
    public async Task<EmailReadResult> ReadForTicketAsync(byte[] raw, string? senderWhenMissing, CancellationToken cancellationToken)
    {
        var read = EmailReader.Read(raw, _options, senderWhenMissing is null ? null : new MailboxAddress(null, senderWhenMissing));
        if (read.Message is { } message && message.Text.Length > _maxTextLength)
        {
            // A body longer than a ticket message may be is cut, and the whole message kept beside it (whatever the
            // attachment limits: it is the customer's text), not refused.
            var whole = await KeepWholeAsync(raw, cancellationToken).ConfigureAwait(false);
            var key = whole.Key;
            read = read with
            {
                Message = message with
                {
                    Text = message.Text[..(_maxTextLength - 100)] + "\n\n[… cut here: the whole message is attached as message.eml]",
                    Attachments = [.. message.Attachments, new AttachmentInfo("message.eml", "message/rfc822", raw.Length) { StorageKey = key }],
                },
                AttachmentParts = [.. read.AttachmentParts, new MessagePart()],
                NewContent = whole.IsNew ? [key] : [],
            };
        }

        if (read.Message is { Attachments.Count: > 0 } withAttachments)
        {
            var created = new List<string>(read.NewContent);
            read = read with
            {
                Message = withAttachments with { Attachments = await KeepAsync(withAttachments.Attachments, read.AttachmentParts, created, cancellationToken).ConfigureAwait(false) },
                NewContent = created,
            };
        }

        return read;
    }

    /// <summary>
    /// Keeps a whole raw message in the attachment store, whatever the attachment limits (it is the customer's mail, and
    /// already within <see cref="EmailOptions.MaxMessageBytes"/>); answers its key.
    /// </summary>
    internal async Task<StoredAttachment> KeepWholeAsync(byte[] raw, CancellationToken cancellationToken)
    {
        await using var whole = new MemoryStream(raw, writable: false);
        return await _attachments.PutAsync(whole, long.MaxValue, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores each part's bytes (decoded), within the per-file and per-message limits: a part over them is recorded as
    /// not kept, and the message is stored all the same.
    /// </summary>
    private async Task<IReadOnlyList<AttachmentInfo>> KeepAsync(IReadOnlyList<AttachmentInfo> infos, IReadOnlyList<MimeEntity> parts, List<string> created, CancellationToken cancellationToken)
    {
        var kept = new List<AttachmentInfo>(infos.Count);
        long total = 0;
        for (var i = 0; i < infos.Count; i++)
        {
            var info = infos[i];
            if (info.StorageKey is not null)
            {
                kept.Add(info);
                continue;
            }

            var room = Math.Min(_attachmentOptions.MaxFileBytes, _attachmentOptions.MaxMessageBytes - total);
            if (i >= parts.Count || room <= 0)
            {
                kept.Add(info with { NotKept = "too large: the message's attachment limit was reached" });
                continue;
            }

            try
            {
                await using var content = await OpenAsync(parts[i], cancellationToken).ConfigureAwait(false);
                var stored = await _attachments.PutAsync(content, room, cancellationToken).ConfigureAwait(false);
                if (stored.IsNew)
                {
                    created.Add(stored.Key);
                }

                total += info.Size ?? 0;
                kept.Add(info with { StorageKey = stored.Key });
            }
            catch (AttachmentTooLargeException ex)
            {
                LogNotKept(_logger, info.FileName, ex.Limit);
                kept.Add(info with { NotKept = $"too large: over {ex.Limit} bytes" });
            }
        }

        return kept;
    }

    private static async Task<Stream> OpenAsync(MimeEntity part, CancellationToken cancellationToken)
    {
        if (part is MimePart { Content: { } content })
        {
            return content.Open();
        }

        // An attached message (message/rfc822) or a part without content: kept as MIME.
        var buffer = new MemoryStream();
        await part.WriteToAsync(buffer, contentOnly: part is MessagePart, cancellationToken).ConfigureAwait(false);
        buffer.Position = 0;
        return buffer;
    }

    [LoggerMessage(EventId = 2204, Level = LogLevel.Warning, Message = "Did not keep attachment {FileName}: larger than {Limit} bytes")]
    private static partial void LogNotKept(ILogger logger, string? fileName, long limit);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Ignored an automatic reply ({Reason})")]
    private static partial void LogAutoReply(ILogger logger, string reason);

    [LoggerMessage(EventId = 2209, Level = LogLevel.Information, Message = "Took a verified unsubscribe request by mail; no ticket opened")]
    private static partial void LogUnsubscribeMail(ILogger logger);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "Took a bounce ({Reason}) naming {Count} failed recipients; tied to our mail: {Matched}")]
    private static partial void LogBounce(ILogger logger, string reason, int count, bool matched);
}
