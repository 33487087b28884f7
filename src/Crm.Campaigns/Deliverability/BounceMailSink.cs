using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Tracking;
using Crm.Mail;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crm.Campaigns.Deliverability;

/// <summary>
/// Connects the email intake's delivery reports to campaigns: a report that quotes a campaign message's signed
/// Message-ID, or arrives at its signed VERP return path, marks that recipient's contact bounced, so campaigns never
/// mail it again. A report that names no mail of ours (anyone can mail the support address a hand-made one) changes nothing.
/// </summary>
internal sealed partial class BounceMailSink(IServiceProvider services, TimeProvider time, ILogger<BounceMailSink> logger) : IBounceSink
{
    public async Task<bool> RecordAsync(DeliveryReport report, CancellationToken cancellationToken)
    {
        // Campaigns may not be in use in this host: then no report can name mail of ours.
        var keys = services.GetService<TrackingKeyProvider>();
        var campaigns = services.GetService<ICampaignStore>();
        if (keys is null || campaigns is null)
        {
            return false;
        }

        var tokens = await keys.GetTokensAsync(cancellationToken).ConfigureAwait(false);
        var matched = false;
        foreach (var reference in report.QuotedMessageIds.Concat(report.ReportRecipients))
        {
            if (!RecipientReference.TryRead(reference, out var campaignId, out var token) || tokens.Verify(campaignId, token, TrackingTokenPurpose.Reference) is not { } recipientId)
            {
                continue;
            }

            var email = await campaigns.GetRecipientEmailAsync(campaignId, recipientId, cancellationToken).ConfigureAwait(false);
            if (email is null)
            {
                continue;
            }

            matched = true;
            // The same path as a provider's bounce webhook: the contact is suppressed and the campaign counts the bounce.
            var bounce = new DeliveryEvent(DeliveryEventKind.HardBounce, email, "mail", report.Reason, time.GetUtcNow()) { CampaignId = campaignId, RecipientId = recipientId };
            if (await services.GetRequiredService<DeliveryEvents>().ApplyAsync(bounce, null, cancellationToken).ConfigureAwait(false) == DeliveryEventOutcome.Suppressed)
            {
                LogSuppressed(logger, email, campaignId, report.Reason);
            }
        }

        return matched;
    }

    [LoggerMessage(EventId = 3701, Level = LogLevel.Information, Message = "Marked {Email} bounced: a delivery report ({Reason}) names campaign {CampaignId}'s message to it")]
    private static partial void LogSuppressed(ILogger logger, string email, long campaignId, string reason);
}
