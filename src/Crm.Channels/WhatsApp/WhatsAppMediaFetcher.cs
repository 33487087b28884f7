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
/// with its account's credentials — only towards that account's API host — following Twilio's redirect to the file,
/// size-limited and stored; a fetch that keeps failing is recorded on the attachment, and the message is never lost.
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
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)];
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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                var kept = new List<AttachmentInfo>(message.Attachments.Count);
                foreach (var attachment in message.Attachments)
                {
                    kept.Add(attachment.Url is null || attachment.StorageKey is not null ? attachment : await FetchAsync(attachment, stoppingToken).ConfigureAwait(false));
                }

                await store.UpdateAttachmentsAsync(message.Id, kept, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<AttachmentInfo> FetchAsync(AttachmentInfo attachment, CancellationToken cancellationToken)
    {
        string? failure = null;
        for (var attempt = 0; attempt <= RetryDelays.Length; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, attachment.Url);
                if (CredentialsFor(new Uri(attachment.Url!)) is { } credentials)
                {
                    request.Headers.Authorization = credentials;
                }

                using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    await using var content = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                    var key = (await attachments.PutAsync(content, limits.Value.MaxFileBytes, cancellationToken).ConfigureAwait(false)).Key;
                    return attachment with
                    {
                        StorageKey = key,
                        Size = response.Content.Headers.ContentLength ?? attachment.Size,
                        FileName = attachment.FileName ?? FileNameFor(attachment.ContentType),
                    };
                }

                failure = $"the media URL answered {(int)response.StatusCode}";
                // 4xx other than rate limiting will not change on retry.
                if ((int)response.StatusCode is >= 400 and < 500 and not 429)
                {
                    break;
                }
            }
            catch (AttachmentTooLargeException ex)
            {
                return attachment with { NotKept = $"too large: over {ex.Limit} bytes" };
            }
            catch (HttpRequestException ex)
            {
                failure = "the media could not be fetched: " + ex.Message;
            }

            if (attempt < RetryDelays.Length)
            {
                await Task.Delay(RetryDelays[attempt], time, cancellationToken).ConfigureAwait(false);
            }
        }

        LogFetchFailed(logger, attachment.Url!, failure);
        return attachment with { NotKept = failure };
    }

    /// <summary>The account's basic credentials, sent only to that account's API host (Twilio's redirect to the file carries none).</summary>
    private AuthenticationHeaderValue? CredentialsFor(Uri url)
    {
        var sid = AccountSidPattern().Match(url.AbsolutePath);
        var account = sid.Success ? accounts.Find(sid.Groups[1].Value) : null;
        if (account is null || !string.Equals(new Uri(account.Options.ApiBaseUrl).Authority, url.Authority, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{account.Options.AccountSid}:{account.Options.AuthToken}")));
    }

    private static string FileNameFor(string contentType) =>
        "media" + (MimeKit.MimeTypes.TryGetExtension(contentType, out var extension) ? extension : ".bin");

    [GeneratedRegex("/Accounts/(AC[0-9a-fA-F]{32})/")]
    private static partial Regex AccountSidPattern();

    [LoggerMessage(EventId = 2111, Level = LogLevel.Warning, Message = "Could not keep WhatsApp media {Url}: {Reason}; the message is stored without it")]
    private static partial void LogFetchFailed(ILogger logger, string url, string? reason);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Warning, Message = "The WhatsApp media queue is full; message {MessageId}'s media is not fetched")]
    private static partial void LogQueueFull(ILogger logger, long messageId);
}
