using Crm.Campaigns.Texts;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.RateLimiting;
using Crm.Campaigns.Campaigns;
using Crm.Events;
using Crm.Campaigns.Diagnostics;
using Crm.Campaigns.Rendering;
using Crm.Campaigns.Sending;
using Crm.Campaigns.Tracking;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Crm.Hosting;
using Crm.Mail;
using MimeKit;

namespace Crm.Campaigns.Dispatching;

/// <summary>
/// Sends campaigns: launches due ones, claims ledger rows in batches, renders and sends each message through
/// <see cref="ICampaignSender"/>, and records the outcome only after the transport accepted the message. A crash
/// leaves rows claimed; their lease expires and they are sent again, so at most the messages accepted but not yet
/// recorded (<see cref="DispatcherOptions.MaxUnrecordedMessages"/>) are sent twice.
/// </summary>
internal sealed partial class CampaignDispatcher : BackgroundService
{
    private readonly RecipientTexts _texts;
    private readonly CrmEventPublisher _events;
    private readonly ICampaignStore _store;
    private readonly ICampaignSender _sender;
    private readonly TrackingKeyProvider _keys;
    private readonly DispatcherSignal _signal;
    private readonly TimeProvider _time;
    private readonly BulkEmailOptions _options;
    private readonly DispatcherOptions _pace;
    private readonly ILogger<CampaignDispatcher> _logger;
    private readonly int _concurrency;
    private readonly DkimMessageSigner? _dkim;
    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly ConcurrentDictionary<long, (Campaign Campaign, CampaignTemplate? Template, string? TemplateError)> _campaigns = new();
    private readonly ConcurrentDictionary<long, int> _renderFailures = new();
    private readonly ConcurrentDictionary<long, int> _consecutiveFailures = new();

    /// <summary>Campaigns that reached a failure limit here: sent no more at once, paused once their outcomes are recorded.</summary>
    private readonly ConcurrentDictionary<long, string> _pausing = new();
    private readonly RateLimiter? _rateLimiter;
    private readonly OutcomeRecorder _recorder;
    private readonly DomainPacing _pacing;
    private readonly LoopHealth _health;

    /// <summary>The name its health is reported under (<see cref="LoopHealthRegistry"/>).</summary>
    public const string HealthName = "dispatcher";

    /// <summary>Creates the dispatcher.</summary>
    public CampaignDispatcher(
        ICampaignStore store,
        ICampaignSender sender,
        TrackingKeyProvider keys,
        DispatcherSignal signal,
        TimeProvider time,
        IOptions<BulkEmailOptions> options,
        IOptions<DispatcherOptions> pace,
        IOptions<RecipientTexts> texts,
        LoopHealthRegistry health,
        CrmEventPublisher events,
        ILogger<CampaignDispatcher> logger)
    {
        _events = events;
        ArgumentNullException.ThrowIfNull(texts);
        _texts = texts.Value;
        ArgumentNullException.ThrowIfNull(health);
        _health = health[HealthName];
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sender);
        _store = store;
        _sender = sender;
        _keys = keys;
        _signal = signal;
        _time = time;
        _options = options.Value;
        ArgumentNullException.ThrowIfNull(pace);
        _pace = pace.Value;
        _dkim = _options.Dkim.CreateSigner();
        _logger = logger;
        _concurrency = Math.Max(1, sender.Concurrency);
        _recorder = new OutcomeRecorder(_pace.MaxUnrecordedMessages, store, time, AfterCommitAsync, logger);
        _pacing = new DomainPacing(new Dictionary<string, DomainLimit>(_pace.Domains, StringComparer.OrdinalIgnoreCase), _pace.RetryBaseDelay, time);
        if (_pace.MessagesPerSecond > 0)
        {
            _rateLimiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, _pace.MessagesPerSecond / 10),
                TokensPerPeriod = Math.Max(1, _pace.MessagesPerSecond / 10),
                ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
                QueueLimit = int.MaxValue,
                AutoReplenishment = true,
            });
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_pace.RunDispatcher)
        {
            return;
        }

        var recording = _recorder.RunAsync();
        try
        {
            await DispatchAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            // Outcomes of messages already accepted are recorded even when stopping, so a restart does not resend them.
            _recorder.Complete();
            await recording.ConfigureAwait(false);
        }
    }

    private async Task DispatchAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunPipelinedAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The store is unreachable or a bug: keep the host alive, try again after a pause.
                _health.Failed(ex);
                LogRoundFailed(_logger, ex);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Keeps the SMTP connections busy: the next batch is claimed while the current one is sent, and outcomes are
    /// committed as they come (<see cref="OutcomeRecorder"/>), at most <see cref="DispatcherOptions.MaxUnrecordedMessages"/>
    /// behind the server, which bounds what a crash can send twice.
    /// </summary>
    private async Task RunPipelinedAsync(CancellationToken stoppingToken)
    {
        try
        {
            var next = ClaimNextAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                var batch = await next.ConfigureAwait(false);
                if (batch.Count == 0)
                {
                    await _recorder.FlushAsync().ConfigureAwait(false);
                    foreach (var completed in await _store.CompleteFinishedAsync(_time.GetUtcNow(), stoppingToken).ConfigureAwait(false))
                    {
                        _campaigns.TryRemove(completed, out _);
                        LogCompleted(_logger, completed);
                        if (await _store.GetAsync(completed, stoppingToken).ConfigureAwait(false) is { } finished)
                        {
                            await _events.PublishAsync(new CampaignCompletedEvent(finished.Id, finished.Stats.Sent, finished.Stats.Failed) { Timestamp = _time.GetUtcNow() }, stoppingToken).ConfigureAwait(false);
                        }
                    }

                    _health.Succeeded();
                    await _signal.WaitAsync(await IdleWaitAsync(stoppingToken).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
                    next = ClaimNextAsync(stoppingToken);
                    continue;
                }

                next = ClaimNextAsync(stoppingToken);
                await SendAsync(batch, stoppingToken).ConfigureAwait(false);
                _health.Succeeded();
            }
        }
        finally
        {
            await _recorder.FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// How long an idle dispatcher sleeps: until the store's next known work (a scheduled start, a retry, a lease
    /// expiring), at most <see cref="DispatcherOptions.PollInterval"/>; a signal wakes it sooner.
    /// </summary>
    private async Task<TimeSpan> IdleWaitAsync(CancellationToken cancellationToken)
    {
        var next = await _store.NextWakeAsync(cancellationToken).ConfigureAwait(false);
        if (next is not { } at)
        {
            return _pace.PollInterval;
        }

        // A few milliseconds past the due time (claims compare strictly), never a busy loop.
        var wait = at - _time.GetUtcNow() + TimeSpan.FromMilliseconds(5);
        return wait < MinimumIdleWait ? MinimumIdleWait : wait > _pace.PollInterval ? _pace.PollInterval : wait;
    }

    private static readonly TimeSpan MinimumIdleWait = TimeSpan.FromMilliseconds(50);

    private async Task<IReadOnlyList<ClaimedRecipient>> ClaimNextAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        while (await _store.LaunchNextDueAsync(now, cancellationToken).ConfigureAwait(false) is { } launched)
        {
            LogLaunched(_logger, launched.Id, launched.Stats.Recipients);
            await _events.PublishAsync(new CampaignLaunchedEvent(launched.Id, launched.Subject, launched.Stats.Recipients) { Timestamp = now }, cancellationToken).ConfigureAwait(false);
        }

        return await _store.ClaimBatchAsync(_pace.BatchSize, _owner, now, now + _pace.ClaimLease, cancellationToken).ConfigureAwait(false);
    }

    private async Task SendAsync(IReadOnlyList<ClaimedRecipient> batch, CancellationToken cancellationToken)
    {
        var tokens = await _keys.GetTokensAsync(cancellationToken).ConfigureAwait(false);
        var campaignIds = batch.Select(r => r.CampaignId).Distinct().ToArray();
        var links = new List<ActivityLink>(campaignIds.Length);
        foreach (var campaignId in campaignIds)
        {
            var (campaign, _, _) = await GetCampaignAsync(campaignId, cancellationToken).ConfigureAwait(false);
            if (campaign.TraceParent is { } traceParent && ActivityContext.TryParse(traceParent, null, out var context))
            {
                links.Add(new ActivityLink(context));
            }
        }

        // A root of its own (this loop runs for the life of the host, not inside anyone's request), linked to the
        // campaigns it sends; each message's span is its child.
        Activity.Current = null;
        using var activity = CrmCampaignsTelemetry.ActivitySource.StartActivity(CrmCampaignsTelemetry.BatchSpan, ActivityKind.Internal, default(ActivityContext), links: links);
        activity?.SetTag("crm.batch_size", batch.Count);
        activity?.SetTag("crm.campaign_ids", campaignIds);
        var statuses = new CampaignStatusCache(_store, _time, campaignIds);
        await statuses.RefreshAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = _concurrency, CancellationToken = cancellationToken }, async (recipient, ct) =>
            {
                // Pause and cancel take effect within a fraction of a second, even mid-batch; a failure limit at once.
                if (_pausing.ContainsKey(recipient.CampaignId) || await statuses.GetAsync(recipient.CampaignId, ct).ConfigureAwait(false) != CampaignStatus.Sending)
                {
                    _recorder.Record(HandBack(recipient, _time.GetUtcNow()), holdsPermit: false);
                    return;
                }

                if (recipient.Suppressed)
                {
                    // Unsubscribed or bounced since launch: the promise "never another campaign" holds mid-campaign too.
                    _recorder.Record(new SendAttempt(recipient.RecipientId, recipient.CampaignId, SendOutcome.Skipped), holdsPermit: false);
                    return;
                }

                // The receiving domain's pace: no room now hands the recipient back for later, and this worker moves on.
                var domain = DomainPacing.DomainOf(recipient.Email);
                var (slot, retryAt) = await _pacing.EnterAsync(domain, ct).ConfigureAwait(false);
                if (slot is null)
                {
                    _recorder.Record(HandBack(recipient, retryAt), holdsPermit: false);
                    return;
                }

                RecordedOutcome outcome;
                using (slot)
                {
                    await _recorder.AcquireAsync(ct).ConfigureAwait(false);
                    try
                    {
                        outcome = await SendOneAsync(recipient, domain, tokens, ct).ConfigureAwait(false);
                    }
                    catch
                    {
                        // Stopping mid-send: handed back unsent (should the server have taken it, it is one of the unrecorded).
                        _recorder.Record(HandBack(recipient, _time.GetUtcNow()), holdsPermit: true);
                        throw;
                    }
                }

                CountFailures(outcome);
                _recorder.Record(outcome.Attempt, holdsPermit: true);
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: what the server accepted before the stop is still recorded, so a restart does not resend it.
            activity?.SetTag("crm.outcome", "stopped");
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
    }

    /// <summary>
    /// Counts a campaign's consecutive failures and render failures as outcomes come in; at a limit the campaign is sent
    /// no more from here at once, and paused once the outcomes before it are recorded.
    /// </summary>
    private void CountFailures(RecordedOutcome outcome)
    {
        var attempt = outcome.Attempt;
        var campaignId = attempt.CampaignId;
        if (outcome.RenderFailed && _renderFailures.AddOrUpdate(campaignId, 1, (_, n) => n + 1) is var renderFailures && renderFailures == _pace.MaxRenderFailures)
        {
            _pausing.TryAdd(campaignId, $"Paused after {renderFailures} recipients could not be rendered; last: {attempt.Error}");
            LogAutoPaused(_logger, campaignId, renderFailures);
        }

        if (attempt.Outcome == SendOutcome.Retry && attempt.Error is null)
        {
            // Released unsent (paused meanwhile): neither a failure nor a success.
            return;
        }

        var failures = attempt.Outcome is SendOutcome.Sent or SendOutcome.Skipped
            ? _consecutiveFailures[campaignId] = 0
            : _consecutiveFailures.AddOrUpdate(campaignId, 1, (_, n) => n + 1);
        if (failures == _pace.MaxConsecutiveFailures)
        {
            _pausing.TryAdd(campaignId, $"Paused after {failures} consecutive failed attempts; last: {attempt.Error}");
            LogAutoPaused(_logger, campaignId, failures);
            _consecutiveFailures[campaignId] = 0;
        }
    }

    /// <summary>A recipient given back unsent, to be claimed again from <paramref name="at"/> (not an attempt).</summary>
    private static SendAttempt HandBack(ClaimedRecipient recipient, DateTimeOffset at) =>
        new(recipient.RecipientId, recipient.CampaignId, SendOutcome.Retry, RetryAt: at);

    /// <summary>Pauses the campaigns that reached a failure limit, now that their outcomes are recorded.</summary>
    private async Task AfterCommitAsync()
    {
        foreach (var (campaignId, reason) in _pausing)
        {
            await PauseAsync(campaignId, reason, CancellationToken.None).ConfigureAwait(false);
            _pausing.TryRemove(campaignId, out _);
        }
    }

    /// <summary>
    /// Renders and sends one message. Never throws but for cancellation: whatever goes wrong with this recipient
    /// (their data breaks the template, the transport refuses them) is this recipient's outcome, so other messages
    /// of the batch, already accepted by the server, are still recorded.
    /// </summary>
    private async Task<RecordedOutcome> SendOneAsync(ClaimedRecipient recipient, string domain, TrackingTokens tokens, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = CrmCampaignsTelemetry.ActivitySource.StartActivity(CrmCampaignsTelemetry.SendSpan);
        activity?.SetTag("crm.campaign_id", recipient.CampaignId);
        activity?.SetTag("crm.recipient_id", recipient.RecipientId);
        var (message, returnPath, failure) = await BuildAsync(recipient, tokens, cancellationToken).ConfigureAwait(false);
        RecordedOutcome outcome;
        if (message is null)
        {
            outcome = failure!;
        }
        else
        {
            // Disposed once sent: MimeKit's messages, entities and contents have finalizers, so one left to the
            // collector survives a collection with all its buffers (about 35 KB a message) before it is freed.
            using (message)
            {
                outcome = new RecordedOutcome(await TransmitAsync(recipient, domain, message, returnPath, cancellationToken).ConfigureAwait(false));
            }
        }

        var outcomeTag = OutcomeTag(outcome.Attempt.Outcome);
        if (activity is not null)
        {
            activity.SetTag("crm.outcome", outcomeTag);
            if (outcome.Attempt.Error is { } error)
            {
                // Refused or deferred: the server's words, so a trace shows why without the logs.
                activity.SetStatus(ActivityStatusCode.Error, error);
            }
        }

        CrmCampaignsTelemetry.SendAttempts.Add(1, new KeyValuePair<string, object?>("crm.outcome", outcomeTag));
        CrmCampaignsTelemetry.SendDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return outcome;
    }

    /// <summary>The outcome as the metric's tag, without a new string per message.</summary>
    private static string OutcomeTag(SendOutcome outcome) => outcome switch
    {
        SendOutcome.Sent => "sent",
        SendOutcome.Failed => "failed",
        SendOutcome.Retry => "retry",
        SendOutcome.Skipped => "skipped",
        _ => outcome.ToString().ToLowerInvariant(),
    };

    private async Task<(MimeMessage? Message, MailboxAddress? ReturnPath, RecordedOutcome? Failure)> BuildAsync(ClaimedRecipient recipient, TrackingTokens tokens, CancellationToken cancellationToken)
    {
        try
        {
            var (campaign, template, templateError) = await GetCampaignAsync(recipient.CampaignId, cancellationToken).ConfigureAwait(false);
            if (template is null)
            {
                throw new TemplateRenderException(templateError!);
            }

            var links = CampaignMessageBuilder.LinksFor(campaign.TrackingBaseUrl, campaign.Id, recipient.RecipientId, tokens, _options.UnsubscribeMailbox ?? campaign.FromAddress);
            var message = await CampaignMessageBuilder.BuildAsync(campaign, template, recipient, links, _time.GetUtcNow(), _options.ListId, _texts, cancellationToken).ConfigureAwait(false);
            _dkim?.Sign(message);
            var bounceDomain = _options.BounceDomain ?? CampaignHeaders.For(campaign, _options.ListId).FromDomain;
            return (message, new MailboxAddress("", RecipientReference.ReturnPath(campaign.Id, links.Token, bounceDomain)), null);
        }
        catch (TemplateRenderException ex)
        {
            LogRenderFailed(_logger, recipient.CampaignId, recipient.RecipientId, ex.Message);
            return (null, null, new RecordedOutcome(new SendAttempt(recipient.RecipientId, recipient.CampaignId, SendOutcome.Failed, ex.Message), RenderFailed: true));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or ParseException)
        {
            // An address or header the checks let through: this message can never be built.
            LogSendFailed(_logger, recipient.CampaignId, recipient.RecipientId, ex.Message);
            return (null, null, new RecordedOutcome(new SendAttempt(recipient.RecipientId, recipient.CampaignId, SendOutcome.Failed, $"The message could not be built: {ex.Message}")));
        }
    }

    private async Task<SendAttempt> TransmitAsync(ClaimedRecipient recipient, string domain, MimeMessage message, MailboxAddress? returnPath, CancellationToken cancellationToken)
    {
        try
        {
            if (_rateLimiter is not null)
            {
                using var lease = await _rateLimiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
            }

            await _sender.SendAsync(message, returnPath, cancellationToken).ConfigureAwait(false);
            _pacing.Accepted(domain);
            return new SendAttempt(recipient.RecipientId, recipient.CampaignId, SendOutcome.Sent);
        }
        catch (CampaignSendException ex) when (ex.IsPermanent || recipient.Attempts + 1 >= _pace.MaxAttempts)
        {
            LogSendFailed(_logger, recipient.CampaignId, recipient.RecipientId, ex.Message);
            return new SendAttempt(recipient.RecipientId, recipient.CampaignId, SendOutcome.Failed, ex.Message);
        }
        catch (CampaignSendException ex) when (ex.TransportNeverConnected)
        {
            // Wrong settings, not a bad moment: every recipient would fail the same way. The campaign pauses with the
            // reason (a person fixes the settings and resumes); this recipient is deferred, its attempt counted and its
            // reason kept as the campaign's last error.
            _pausing.TryAdd(recipient.CampaignId, $"Paused: the mail server was never reached. {ex.Message}. Check the SMTP settings, then resume.");
            LogTransportUnreachable(_logger, recipient.CampaignId, ex.Message);
            return new SendAttempt(recipient.RecipientId, recipient.CampaignId, SendOutcome.Retry, ex.Message, _time.GetUtcNow());
        }
        catch (CampaignSendException ex) when (ex.StatusCode is >= 400 and < 500)
        {
            // The receiving domain throttles or greylists: it gets a rest (the rest of the campaign keeps going), and
            // this recipient comes back when it is over.
            var until = _pacing.Defer(domain);
            LogDomainDeferred(_logger, recipient.CampaignId, domain, ex.Message, until);
            return new SendAttempt(recipient.RecipientId, recipient.CampaignId, SendOutcome.Retry, ex.Message, until);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A temporary refusal, or a sender that broke in a way it did not classify: try again later, within MaxAttempts.
            var delay = RetryDelay(recipient.Attempts);
            var reason = ex is CampaignSendException ? ex.Message : $"The sender failed: {ex.Message}";
            LogSendDeferred(_logger, recipient.CampaignId, recipient.RecipientId, reason, delay);
            return recipient.Attempts + 1 >= _pace.MaxAttempts
                ? new SendAttempt(recipient.RecipientId, recipient.CampaignId, SendOutcome.Failed, reason)
                : new SendAttempt(recipient.RecipientId, recipient.CampaignId, SendOutcome.Retry, reason, _time.GetUtcNow() + delay);
        }
    }

    /// <summary>
    /// Exponential backoff with ±20 % jitter, so recipients deferred together by one outage do not all come back in the
    /// same instant (and several hosts do not retry in lockstep).
    /// </summary>
    private TimeSpan RetryDelay(int attempts)
        => _pace.RetryBaseDelay * Math.Pow(2, Math.Min(attempts, 10)) * (0.8 + (0.4 * Random.Shared.NextDouble()));

    private async Task PauseAsync(long campaignId, string reason, CancellationToken cancellationToken)
    {
        try
        {
            if (await _store.TransitionAsync(campaignId, CampaignCommand.Pause, reason, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false) is { Status: CampaignStatus.Paused })
            {
                await _events.PublishAsync(new CampaignPausedEvent(campaignId, reason) { Timestamp = _time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (InvalidCampaignTransitionException)
        {
            // Cancelled or paused meanwhile by a person.
        }
    }

    /// <summary>The campaign and its parsed template, or why its template cannot be used (it was stored before today's rules).</summary>
    private async ValueTask<(Campaign Campaign, CampaignTemplate? Template, string? TemplateError)> GetCampaignAsync(long campaignId, CancellationToken cancellationToken)
    {
        if (_campaigns.TryGetValue(campaignId, out var cached))
        {
            return cached;
        }

        var campaign = await _store.GetAsync(campaignId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Campaign {campaignId} vanished while sending.");
        var entry = CampaignTemplate.TryParse(campaign.Subject, campaign.Body, out var template, out var errors, _options.TemplateLimits, _time)
            ? (campaign, template, null)
            : (campaign, (CampaignTemplate?)null, string.Join("; ", errors.SelectMany(e => e.Value)));
        _campaigns[campaignId] = entry;
        return entry;
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Launched campaign {CampaignId} to {Recipients} recipients")]
    private static partial void LogLaunched(ILogger logger, long campaignId, int recipients);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Campaign {CampaignId} completed")]
    private static partial void LogCompleted(ILogger logger, long campaignId);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Campaign {CampaignId}: recipient {RecipientId} failed: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, long campaignId, long recipientId, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Campaign {CampaignId}: recipient {RecipientId} deferred for {Delay}: {Reason}")]
    private static partial void LogSendDeferred(ILogger logger, long campaignId, long recipientId, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Campaign {CampaignId}: {Domain} deferred us ({Reason}); sending to it again from {Until}")]
    private static partial void LogDomainDeferred(ILogger logger, long campaignId, string domain, string reason, DateTimeOffset until);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Campaign {CampaignId} paused itself after {Failures} consecutive failures")]
    private static partial void LogAutoPaused(ILogger logger, long campaignId, int failures);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Error, Message = "Campaign {CampaignId} paused itself: the mail server was never reached ({Reason})")]
    private static partial void LogTransportUnreachable(ILogger logger, long campaignId, string reason);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Campaign {CampaignId}: the template failed for recipient {RecipientId}: {Reason}")]
    private static partial void LogRenderFailed(ILogger logger, long campaignId, long recipientId, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Error, Message = "A dispatch round failed; retrying shortly")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    /// <summary>Campaign statuses, re-read at most every 250 ms while a batch is being sent.</summary>
    private sealed class CampaignStatusCache(ICampaignStore store, TimeProvider time, IReadOnlyCollection<long> campaignIds)
    {
        private static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(250);
        private readonly SemaphoreSlim _gate = new(1, 1);
        private IReadOnlyDictionary<long, CampaignStatus> _statuses = new Dictionary<long, CampaignStatus>();
        private long _readAt;

        public async Task RefreshAsync(CancellationToken cancellationToken)
        {
            _statuses = await store.GetStatusesAsync(campaignIds, cancellationToken).ConfigureAwait(false);
            _readAt = time.GetTimestamp();
        }

        public async ValueTask<CampaignStatus?> GetAsync(long campaignId, CancellationToken cancellationToken)
        {
            if (time.GetElapsedTime(_readAt) > MaxAge && await _gate.WaitAsync(0, cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await RefreshAsync(cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _gate.Release();
                }
            }

            return _statuses.TryGetValue(campaignId, out var status) ? status : null;
        }
    }
}
