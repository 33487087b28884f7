using Crm.Campaigns.Campaigns;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Crm.Storage.EfCore.Campaigns;

/// <summary>
/// Carries dispatcher wake-ups between hosts through the database, where it can notify (PostgreSQL
/// <c>LISTEN</c>/<c>NOTIFY</c>): a campaign created or resumed on one host starts on all of them at once, while idle
/// dispatchers sleep. On a database that cannot notify this does nothing (the in-process signal suffices for one host).
/// </summary>
internal sealed partial class DispatcherWakeups<TContext>(IServiceProvider services, IDbContextFactory<TContext> contexts, ILogger<DispatcherWakeups<TContext>> logger) : BackgroundService
    where TContext : DbContext
{
    /// <summary>The notification channel.</summary>
    internal const string Channel = "crm_campaign_dispatch";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetService<DispatcherSignal>() is not { } signal)
        {
            return;
        }

        CrmDatabaseProvider provider;
        await using (var db = await contexts.CreateDbContextAsync(stoppingToken).ConfigureAwait(false))
        {
            provider = db.GetCrmDatabaseProvider();
        }

        if (!provider.CanNotify)
        {
            return;
        }

        void Publish() => _ = PublishAsync(provider);
        signal.WakeRequested += Publish;
        try
        {
            var delay = TimeSpan.FromSeconds(1);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await using var db = await contexts.CreateDbContextAsync(stoppingToken).ConfigureAwait(false);
                    // Listening again after a lost connection may have missed a notification: look once.
                    signal.WakeHere();
                    await provider.ListenAsync(db, Channel, signal.WakeHere, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogListenFailed(logger, ex, delay);
                    await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            signal.WakeRequested -= Publish;
        }
    }

    private async Task PublishAsync(CrmDatabaseProvider provider)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
            await provider.NotifyAsync(db, Channel, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The others find the work at their next safety poll.
            LogNotifyFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Lost the dispatcher wake-up channel; listening again in {Delay}")]
    private static partial void LogListenFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Could not tell other hosts about new campaign work; they find it at their next poll")]
    private static partial void LogNotifyFailed(ILogger logger, Exception exception);
}
