using Crm.Channels.Ingestion;
using Crm.Hosting;
using Crm.Mail.OAuth;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Email;

/// <summary>
/// Takes new mail from every configured IMAP mailbox. Progress is a per-mailbox checkpoint of UIDVALIDITY and the
/// last UID handled, saved after each message: mail someone already read elsewhere is still taken (no reliance on
/// <c>\Seen</c>), an outage of any length loses nothing (no date window), and a restart resumes where it stopped.
/// Waits with IDLE where the server offers it, polls otherwise, and reconnects with backoff after failures.
/// Unreadable mail is quarantined and skipped, never retried forever.
/// </summary>
internal sealed partial class ImapPoller : BackgroundService
{
    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<ImapMailboxOptions> _options;
    private readonly IReadOnlyList<string> _mailboxes;
    private readonly TimeProvider _time;
    private readonly ILogger<ImapPoller> _logger;
    private readonly LoopHealthRegistry _health;

    /// <summary>Creates the poller.</summary>
    public ImapPoller(IServiceProvider services, IOptionsMonitor<ImapMailboxOptions> options, IEnumerable<ImapMailboxRegistration> mailboxes, TimeProvider time, LoopHealthRegistry health, ILogger<ImapPoller> logger)
    {
        _health = health;
        _services = services;
        _options = options;
        _mailboxes = mailboxes.Select(m => m.Name).Distinct(StringComparer.Ordinal).ToList();
        _time = time;
        _logger = logger;
    }

    /// <summary>The name a mailbox's health is reported under (<see cref="LoopHealthRegistry"/>).</summary>
    public static string HealthName(string mailbox) => "imap:" + mailbox;

    /// <summary>The name a mailbox's OAuth connection is known by (admin, <c>/health</c>).</summary>
    public static string OAuthConnectionName(string mailbox) => string.IsNullOrEmpty(mailbox) ? "imap" : "imap:" + mailbox;

    /// <summary>The key a mailbox's checkpoint is stored under.</summary>
    public static string MailboxKey(ImapMailboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return $"imap://{options.UserName}@{options.Host}:{options.Port}/{options.Folder}";
    }

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => Task.WhenAll(_mailboxes.Select(name => WatchAsync(name, stoppingToken)));

    private async Task WatchAsync(string name, CancellationToken stoppingToken)
    {
        var options = _options.Get(name);
        var key = MailboxKey(options);
        var health = _health[HealthName(name)];
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var client = await ConnectAsync(name, options, stoppingToken).ConfigureAwait(false);
                var mailbox = await OpenAsync(client, options, stoppingToken).ConfigureAwait(false);
                LogConnected(_logger, key);
                delay = TimeSpan.FromSeconds(1);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await DrainAsync(mailbox, options, stoppingToken).ConfigureAwait(false);
                    health.Succeeded();
                    await WaitForMailAsync(client, mailbox.Folder, options, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Network errors, server restarts, a store outage: nothing past the checkpoint was lost; try again later.
                health.Failed(ex);
                LogDisconnected(_logger, ex, key, delay);
                try
                {
                    await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxReconnectDelay.Ticks));
            }
        }
    }

    private async Task<ImapClient> ConnectAsync(string name, ImapMailboxOptions options, CancellationToken cancellationToken)
    {
        var client = new ImapClient { Timeout = 60_000 };
        try
        {
            var security = options.Security switch
            {
                MailSecurity.None => SecureSocketOptions.None,
                MailSecurity.StartTls => SecureSocketOptions.StartTls,
                MailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                _ => options.Port == 993 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTlsWhenAvailable,
            };
            await client.ConnectAsync(options.Host, options.Port, security, cancellationToken).ConfigureAwait(false);
            if (options.OAuth.IsEnabled)
            {
                // A refused token throws MailOAuthRefusedException: the mailbox needs reconnecting, and the loop
                // below reports it (health, log) and tries again with backoff, never with the password.
                await _services.GetRequiredService<MailOAuthTokens>().SignInAsync(
                    OAuthConnectionName(name), options.UserName, client.AuthenticationMechanisms, canUseOAuthBearer: true, client.AuthenticateAsync, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await client.AuthenticateAsync(options.UserName, options.Password, cancellationToken).ConfigureAwait(false);
            }

            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static async Task<OpenMailbox> OpenAsync(ImapClient client, ImapMailboxOptions options, CancellationToken cancellationToken)
    {
        var folder = await client.GetFolderAsync(options.Folder, cancellationToken).ConfigureAwait(false);
        var access = options.AfterProcessing == ProcessedMailAction.None ? FolderAccess.ReadOnly : FolderAccess.ReadWrite;
        await folder.OpenAsync(access, cancellationToken).ConfigureAwait(false);
        if (options.AfterProcessing == ProcessedMailAction.Move && !string.IsNullOrEmpty(options.MoveToFolder))
        {
            var target = await client.GetFolderAsync(options.MoveToFolder, cancellationToken).ConfigureAwait(false);
            return new OpenMailbox(folder, target);
        }

        return new OpenMailbox(folder, null);
    }

    private async Task<int> DrainAsync(OpenMailbox mailbox, ImapMailboxOptions options, CancellationToken cancellationToken)
    {
        var folder = mailbox.Folder;
        var key = MailboxKey(options);
        var state = _services.GetRequiredService<IMailboxStateStore>();
        var intake = _services.GetRequiredService<EmailIntake>();
        var quarantine = _services.GetRequiredService<EmailQuarantine>();
        var checkpoint = await state.GetCheckpointAsync(key, cancellationToken).ConfigureAwait(false);
        var lastUid = 0u;
        if (checkpoint is not null && checkpoint.UidValidity == folder.UidValidity)
        {
            lastUid = checkpoint.LastUid;
        }
        else if (checkpoint is not null)
        {
            // The server renumbered the folder: take it all again; Message-ID dedupe keeps tickets single.
            LogUidValidityChanged(_logger, key, checkpoint.UidValidity, folder.UidValidity);
        }

        // "n:*" always includes the highest UID even when it is below n, hence the filter.
        var range = new UniqueIdRange(new UniqueId(folder.UidValidity, lastUid + 1), UniqueId.MaxValue);
        var uids = (await folder.SearchAsync(SearchQuery.Uids(range), cancellationToken).ConfigureAwait(false))
            .Where(u => u.Id > lastUid).OrderBy(u => u.Id).ToList();
        foreach (var uid in uids)
        {
            await TakeAsync(mailbox, uid, options, intake, quarantine, cancellationToken).ConfigureAwait(false);
            await state.SaveCheckpointAsync(key, new MailboxCheckpoint(folder.UidValidity, uid.Id), _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }

        return uids.Count;
    }

    private async Task TakeAsync(OpenMailbox mailbox, UniqueId uid, ImapMailboxOptions options, EmailIntake intake, EmailQuarantine quarantine, CancellationToken cancellationToken)
    {
        var key = MailboxKey(options);
        var folder = mailbox.Folder;
        byte[] raw;
        using (var stream = await folder.GetStreamAsync(uid, cancellationToken).ConfigureAwait(false))
        {
            if (stream.CanSeek && stream.Length > intake.Options.MaxMessageBytes)
            {
                LogQuarantined(_logger, key, uid.Id, "too large");
                await quarantine.RecordAsync(key, uid.Id, stream.Length, $"larger than {intake.Options.MaxMessageBytes} bytes (left in the mailbox)", cancellationToken).ConfigureAwait(false);
                return;
            }

            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            raw = buffer.ToArray();
        }

        try
        {
            var result = await intake.ProcessAsync(raw, options.Inbox, cancellationToken).ConfigureAwait(false);
            LogTaken(_logger, key, uid.Id, result.Kind, result.Result?.Ticket.Id);
        }
        catch (Exception ex) when (ex is UnreadableEmailException or InvalidInboundMessageException)
        {
            LogQuarantined(_logger, key, uid.Id, ex.Message);
            await quarantine.KeepAsync(key, uid.Id, raw, ex.Message, cancellationToken).ConfigureAwait(false);
            return;
        }

        switch (options.AfterProcessing)
        {
            case ProcessedMailAction.MarkSeen:
                await folder.AddFlagsAsync(uid, MessageFlags.Seen, silent: true, cancellationToken).ConfigureAwait(false);
                break;
            case ProcessedMailAction.Move when mailbox.MoveTarget is { } target:
                await folder.MoveToAsync(uid, target, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private static async Task WaitForMailAsync(ImapClient client, IMailFolder folder, ImapMailboxOptions options, CancellationToken stoppingToken)
    {
        if (!options.UseIdle || !client.Capabilities.HasFlag(ImapCapabilities.Idle))
        {
            await Task.Delay(options.PollInterval, stoppingToken).ConfigureAwait(false);
            await client.NoOpAsync(stoppingToken).ConfigureAwait(false);
            return;
        }

        using var done = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        done.CancelAfter(options.PollInterval);
        void OnNewMail(object? sender, EventArgs e) => done.Cancel();
        folder.CountChanged += OnNewMail;
        try
        {
            await client.IdleAsync(done.Token, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            folder.CountChanged -= OnNewMail;
        }
    }

    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "Watching mailbox {Mailbox}")]
    private static partial void LogConnected(ILogger logger, string mailbox);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "Lost mailbox {Mailbox}; reconnecting in {Delay}")]
    private static partial void LogDisconnected(ILogger logger, Exception exception, string mailbox, TimeSpan delay);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Warning, Message = "Mailbox {Mailbox} changed UIDVALIDITY from {Old} to {New}; taking it again from the start")]
    private static partial void LogUidValidityChanged(ILogger logger, string mailbox, uint old, uint @new);

    [LoggerMessage(EventId = 2304, Level = LogLevel.Information, Message = "Took {Mailbox} UID {Uid}: {Kind} (ticket {TicketId})")]
    private static partial void LogTaken(ILogger logger, string mailbox, uint uid, EmailKind kind, long? ticketId);

    [LoggerMessage(EventId = 2305, Level = LogLevel.Warning, Message = "Quarantined {Mailbox} UID {Uid}: {Reason}")]
    private static partial void LogQuarantined(ILogger logger, string mailbox, uint uid, string reason);
}
