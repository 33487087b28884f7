using Crm.Channels.Ingestion;
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
    private readonly ILogger<EmailIntake> _logger;

    /// <summary>Creates the intake.</summary>
    public EmailIntake(IIngestionPipeline pipeline, IEnumerable<IBounceSink> bounceSinks, IEnumerable<IUnsubscribeMailSink> unsubscribeSinks, IOptions<EmailOptions> options, ILogger<EmailIntake> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _pipeline = pipeline;
        _bounceSinks = bounceSinks;
        _unsubscribeSinks = unsubscribeSinks;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>The channel's settings.</summary>
    public EmailOptions Options => _options;

    /// <summary>Handles one raw message: bounces go to the bounce sinks, auto-replies are dropped, messages are ingested.</summary>
    /// <exception cref="UnreadableEmailException">Not a usable email.</exception>
    /// <exception cref="InvalidInboundMessageException">Readable, but breaks an ingestion rule.</exception>
    public async Task<EmailIntakeResult> ProcessAsync(byte[] raw, CancellationToken cancellationToken)
    {
        var read = await ClassifyAsync(raw, cancellationToken).ConfigureAwait(false);
        return read.Message is null
            ? new EmailIntakeResult(read.Kind, null)
            : new EmailIntakeResult(read.Kind, await _pipeline.IngestAsync(read.Message, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Reads one raw message and deals with bounces and auto-replies; a message for a ticket comes back un-ingested.</summary>
    /// <exception cref="UnreadableEmailException">Not a usable email.</exception>
    public async Task<EmailReadResult> ClassifyAsync(byte[] raw, CancellationToken cancellationToken)
    {
        var read = EmailReader.Read(raw, _options);
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

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Ignored an automatic reply ({Reason})")]
    private static partial void LogAutoReply(ILogger logger, string reason);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Information, Message = "Took a verified unsubscribe request by mail; no ticket opened")]
    private static partial void LogUnsubscribeMail(ILogger logger);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "Took a bounce ({Reason}) naming {Count} failed recipients; tied to our mail: {Matched}")]
    private static partial void LogBounce(ILogger logger, string reason, int count, bool matched);
}
