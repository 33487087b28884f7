using Crm.Mail;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crm.Campaigns.Tracking;

/// <summary>
/// Connects the email intake to campaigns: a mail whose subject carries a campaign recipient's signed token (the
/// <c>List-Unsubscribe</c> <c>mailto:</c>) unsubscribes that recipient, exactly as the one-click link does.
/// </summary>
internal sealed partial class UnsubscribeMailSink(IServiceProvider services, ILogger<UnsubscribeMailSink> logger) : IUnsubscribeMailSink
{
    public async Task<bool> TryUnsubscribeAsync(string sender, string subject, CancellationToken cancellationToken)
    {
        // Campaigns may not be in use in this host: then no mail can name a recipient of ours.
        var keys = services.GetService<TrackingKeyProvider>();
        var unsubscriptions = services.GetService<Unsubscriptions>();
        if (keys is null || unsubscriptions is null || !MailtoUnsubscribe.TryRead(subject, out var campaignId, out var token))
        {
            return false;
        }

        var tokens = await keys.GetTokensAsync(cancellationToken).ConfigureAwait(false);
        if (tokens.Verify(campaignId, token, TrackingTokenPurpose.Unsubscribe) is not { } recipientId
            || !await unsubscriptions.UnsubscribeAsync(campaignId, recipientId, "mail", cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        LogUnsubscribed(logger, campaignId, recipientId, sender);
        return true;
    }

    [LoggerMessage(EventId = 3702, Level = LogLevel.Information, Message = "Campaign {CampaignId}: recipient {RecipientId} unsubscribed by mail from {Sender}")]
    private static partial void LogUnsubscribed(ILogger logger, long campaignId, long recipientId, string sender);
}
