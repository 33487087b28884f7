using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Crm.Channels.Attachments;
using Crm.Channels.Ingestion;
using Crm.Channels.Storage;
using Crm.Channels.Tickets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Channels.WhatsApp;

/// <summary>
/// Keeps WhatsApp media: after a message is stored (the webhook answers at once), each <c>MediaUrlN</c> is fetched
/// with its account's credentials — only towards that account's API host, only over https — following Twilio's
/// redirect to the file, size-limited, time-limited (headers and body) and stored. Only allowed media hosts are asked
/// (<see cref="WhatsAppOptions.MediaHosts"/>). <see cref="Workers"/> downloads run at once, so one stalled server
/// holds up one worker, not the queue. A fetch that keeps failing is recorded on the attachment; whatever a URL,
/// a server or the store does, the message is never lost and the loop never ends the host.
/// </summary>
internal sealed partial class WhatsAppMediaFetcher(
    ITicketStore store,
    IAttachmentStore attachments,
    WhatsAppAccounts accounts,
    IHttpClientFactory clients,
    IOptions<AttachmentOptions> limits,
    TimeProvider time,
    ILogger<WhatsAppMediaFetcher> logger) : BackgroundService, ITicketEventHandler
{
    public const string HttpClientName = "Crm.Channels.WhatsApp.Media";

    /// <summary>Downloads in flight at once.</summary>
    public const int Workers = 4;

    private const int MaxRedirects = 5;
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)];
    private static readonly TimeSpan MaxStoreRetryDelay = TimeSpan.FromMinutes(1);
    private readonly Channel<TicketMessage> _queue = Channel.CreateBounded<TicketMessage>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite });

    public ValueTask HandleAsync(TicketEvent ticketEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticketEvent);
        var message = ticketEvent.Message;
        if (message.Channel == WhatsAppAdapter.ChannelName && message.Direction == MessageDirection.Inbound
            && message.Attachments.Any(a => a.Url is not null && a.StorageKey is null && a.NotKept is null)
            && !_queue.Writer.TryWrite(message))
        {
            LogQueueFull(logger, message.Id);
        }

        return ValueTask.CompletedTask;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => WorkAsync(stoppingToken)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await KeepMediaAsync(message, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The last line: nothing one message does may end the worker (and with it the host).
                    LogMessageFailed(logger, ex, message.Id);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task KeepMediaAsync(TicketMessage message, CancellationToken cancellationToken)
    {
        var kept = new List<AttachmentInfo>(message.Attachments.Count);
        foreach (var attachment in message.Attachments)
        {
            kept.Add(attachment.Url is null || attachment.StorageKey is not null || attachment.NotKept is not null
                ? attachment
                : await FetchAsync(attachment, cancellationToken).ConfigureAwait(false));
        }

        // The files are kept: a store outage delays recording them on the message, it does not drop them.
        var delay = TimeSpan.FromSeconds(1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.UpdateAttachmentsAsync(message.Id, kept, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogRecordFailed(logger, ex, message.Id, attempt, delay);
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxStoreRetryDelay.Ticks));
            }
        }
    }

    private async Task<AttachmentInfo> FetchAsync(AttachmentInfo attachment, CancellationToken cancellationToken)
    {
        var refused = Uri.TryCreate(attachment.Url, UriKind.Absolute, out var url) ? RefuseReason(url, allowedHostsOnly: true) : "not an absolute URL";
        if (url is null || refused is not null)
        {
            var reason = refused ?? "not an absolute URL";
            LogMediaRefused(logger, attachment.Url!, reason);
            return attachment with { NotKept = "not fetched: " + reason };
        }

        var account = accounts.Find(AccountSidPattern().Match(url.AbsolutePath) is { Success: true } sid ? sid.Groups[1].Value : null);
        var timeout = account?.Options.MediaTimeout ?? TimeSpan.FromSeconds(60);
        string? failure = null;
        for (var attempt = 0; attempt <= RetryDelays.Length; attempt++)
        {
            try
            {
                return await DownloadAsync(attachment, url, timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (AttachmentTooLargeException ex)
            {
                return attachment with { NotKept = $"too large: over {ex.Limit} bytes" };
            }
            catch (MediaRefusedException ex)
            {
                failure = ex.Message;
                if (ex.Permanent)
                {
                    break;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = $"the media host did not deliver the file within {timeout.TotalSeconds:0} seconds";
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // A dropped connection (HttpIOException), a refused one, or the attachment store failing: try again later.
                failure = "the media could not be fetched: " + ex.Message;
            }

            if (attempt < RetryDelays.Length)
            {
                LogAttemptFailed(logger, attachment.Url!, attempt + 1, failure, RetryDelays[attempt]);
                await Task.Delay(RetryDelays[attempt], time, cancellationToken).ConfigureAwait(false);
            }
        }

        LogFetchFailed(logger, attachment.Url!, failure);
        return attachment with { NotKept = failure };
    }

    /// <summary>One download within <paramref name="timeout"/>, following redirects by hand so each hop is checked.</summary>
    private async Task<AttachmentInfo> DownloadAsync(AttachmentInfo attachment, Uri url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var client = clients.CreateClient(HttpClientName);
        var credentials = CredentialsFor(url);
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            // Credentials go to the account's API host only, on the first hop; Twilio's redirect to the file needs none.
            request.Headers.Authorization = hop == 0 ? credentials : null;
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
            {
                var next = location.IsAbsoluteUri ? location : new Uri(url, location);
                if (hop >= MaxRedirects)
                {
                    throw new MediaRefusedException("too many redirects", permanent: true);
                }

                if (RefuseReason(next, allowedHostsOnly: false) is { } reason)
                {
                    throw new MediaRefusedException("redirected to a URL that is " + reason, permanent: true);
                }

                url = next;
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                // 4xx other than rate limiting will not change on retry.
                throw new MediaRefusedException($"the media URL answered {(int)response.StatusCode}", permanent: (int)response.StatusCode is >= 400 and < 500 and not 429);
            }

            await using var content = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            var stored = await attachments.PutAsync(content, limits.Value.MaxFileBytes, deadline.Token).ConfigureAwait(false);
            return attachment with
            {
                StorageKey = stored.Key,
                Size = stored.Length,
                FileName = attachment.FileName ?? FileNameFor(attachment.ContentType),
            };
        }
    }

    private static bool IsRedirect(HttpStatusCode status) => (int)status is 301 or 302 or 303 or 307 or 308;

    /// <summary>
    /// Why a URL is not fetched, or null: https only (plain http only to a loopback address, for local test servers),
    /// and — for the URL a webhook names — a configured media host.
    /// </summary>
    private string? RefuseReason(Uri url, bool allowedHostsOnly)
    {
        if (url.Scheme != Uri.UriSchemeHttps && !(url.Scheme == Uri.UriSchemeHttp && url.IsLoopback))
        {
            return "not https";
        }

        return allowedHostsOnly && !IsAllowedHost(url) ? $"not on an allowed media host ({url.Host})" : null;
    }

    private bool IsAllowedHost(Uri url)
    {
        foreach (var name in accounts.Names)
        {
            var options = accounts.Get(name);
            if (Uri.TryCreate(options.ApiBaseUrl, UriKind.Absolute, out var api) && string.Equals(api.Authority, url.Authority, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            foreach (var allowed in options.MediaHosts)
            {
                if (allowed.StartsWith("*.", StringComparison.Ordinal)
                        ? url.Host.EndsWith(allowed[1..], StringComparison.OrdinalIgnoreCase)
                        : string.Equals(allowed, url.Host, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The account's basic credentials, for that account's API host over https (or a loopback test server) only.</summary>
    private AuthenticationHeaderValue? CredentialsFor(Uri url)
    {
        var sid = AccountSidPattern().Match(url.AbsolutePath);
        var account = sid.Success ? accounts.Find(sid.Groups[1].Value) : null;
        if (account is null || !Uri.TryCreate(account.Options.ApiBaseUrl, UriKind.Absolute, out var api)
            || !string.Equals(api.Authority, url.Authority, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(api.Scheme, url.Scheme, StringComparison.OrdinalIgnoreCase)
            || RefuseReason(url, allowedHostsOnly: false) is not null)
        {
            return null;
        }

        return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{account.Options.AccountSid}:{account.Options.AuthToken}")));
    }

    private static string FileNameFor(string contentType) =>
        "media" + (MimeKit.MimeTypes.TryGetExtension(contentType, out var extension) ? extension : ".bin");

    [GeneratedRegex("/Accounts/(AC[0-9a-fA-F]{32})/")]
    private static partial Regex AccountSidPattern();

    private sealed class MediaRefusedException(string message, bool permanent) : Exception(message)
    {
        public bool Permanent { get; } = permanent;
    }

    [LoggerMessage(EventId = 2111, Level = LogLevel.Warning, Message = "Could not keep WhatsApp media {Url}: {Reason}; the message is stored without it")]
    private static partial void LogFetchFailed(ILogger logger, string url, string? reason);

    [LoggerMessage(EventId = 2116, Level = LogLevel.Information, Message = "Fetching WhatsApp media {Url} failed (attempt {Attempt}): {Reason}; retrying in {Delay}")]
    private static partial void LogAttemptFailed(ILogger logger, string url, int attempt, string? reason, TimeSpan delay);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Warning, Message = "The WhatsApp media queue is full; message {MessageId}'s media is not fetched")]
    private static partial void LogQueueFull(ILogger logger, long messageId);

    [LoggerMessage(EventId = 2113, Level = LogLevel.Warning, Message = "WhatsApp media {Url} is not fetched: {Reason}")]
    private static partial void LogMediaRefused(ILogger logger, string url, string reason);

    [LoggerMessage(EventId = 2114, Level = LogLevel.Warning, Message = "Could not record the media of message {MessageId} (attempt {Attempt}); retrying in {Delay}")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, long messageId, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 2115, Level = LogLevel.Error, Message = "Keeping the media of message {MessageId} failed; the worker goes on with the next message")]
    private static partial void LogMessageFailed(ILogger logger, Exception exception, long messageId);
}
