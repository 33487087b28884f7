using System.Net;
using Crm.Campaigns.Contacts;
using Crm.Campaigns.Tracking;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Crm.Campaigns.Subscriptions;

/// <summary>What became of a subscription request (all answered alike to the requester, so nobody learns who is on the list).</summary>
internal enum SubscriptionRequestOutcome
{
    ConfirmationSent,
    AlreadySubscribed,
}

/// <summary>
/// Double opt-in: a request creates a pending contact (or leaves an existing one as it is) and mails a signed link;
/// only the person who can read that mailbox confirms, on a page whose button posts (a scanner's GET changes nothing).
/// </summary>
internal sealed partial class Subscriptions(
    IContactDirectory contacts, SubscriptionMailer mailer, TrackingKeyProvider keys, IOptions<BulkEmailOptions> options, IOptions<SubscribeOptions> subscribe, Crm.Events.CrmEventPublisher events, TimeProvider time, ILogger<Subscriptions> logger)
{
    public async Task<SubscriptionRequestOutcome> RequestAsync(string email, string? name, IReadOnlyList<string> tags, string confirmUrlBase, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (contactId, status, created) = await contacts.RequestSubscriptionAsync(email, name, now, cancellationToken).ConfigureAwait(false);
        if (created)
        {
            await events.PublishAsync(new Crm.Events.ContactCreatedEvent(contactId, email, null, "subscribe") { Timestamp = now }, cancellationToken).ConfigureAwait(false);
        }

        if (status == MarketingStatus.Subscribed && tags.Count == 0)
        {
            return SubscriptionRequestOutcome.AlreadySubscribed;
        }

        var settings = options.Value;
        var token = new SubscriptionTokens(await KeyAsync(cancellationToken).ConfigureAwait(false)).Create(contactId, tags, now, now + subscribe.Value.ConfirmationLifetime);
        var link = $"{confirmUrlBase.TrimEnd('/')}/{token}";
        var message = new MimeMessage { Subject = subscribe.Value.ConfirmationSubject, Date = now };
        message.From.Add(new MailboxAddress(settings.FromName ?? "", settings.FromAddress!));
        message.To.Add(new MailboxAddress(name ?? "", email));
        // Transactional, not marketing: no List-Unsubscribe; a confirmation nobody clicks simply expires.
        message.Body = new BodyBuilder
        {
            TextBody = $"Please confirm that you want to receive our emails:\n\n{link}\n\nIf you did not ask for this, ignore this message: nothing happens without your confirmation.",
            HtmlBody = $"<p>Please confirm that you want to receive our emails:</p><p><a href=\"{WebUtility.HtmlEncode(link)}\">Confirm my subscription</a></p><p style=\"color:#555\">If you did not ask for this, ignore this message: nothing happens without your confirmation.</p>",
        }.ToMessageBody();
        // Sent (and signed) off the request path, so the answer does not tell new addresses from known ones.
        mailer.TryQueue(message);
        LogRequested(logger, contactId, status);
        return SubscriptionRequestOutcome.ConfirmationSent;
    }

    /// <summary>Checks a confirmation link without changing anything (the page shown on GET).</summary>
    public async Task<bool> IsValidAsync(string token, CancellationToken cancellationToken) =>
        await VerifyAsync(token, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>
    /// Confirms the subscription a valid link names, once: not after the contact's status changed since the link was
    /// mailed (the confirmation itself, an unsubscribe, a bounce, a complaint).
    /// </summary>
    public async Task<bool> ConfirmAsync(string token, CancellationToken cancellationToken)
    {
        if (await VerifyAsync(token, cancellationToken).ConfigureAwait(false) is not { } confirmed)
        {
            return false;
        }

        var done = await contacts.ConfirmSubscriptionAsync(confirmed.ContactId, confirmed.Tags, confirmed.RequestedAt, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (done)
        {
            LogConfirmed(logger, confirmed.ContactId);
            await events.PublishAsync(new Crm.Events.ContactSubscriptionConfirmedEvent(confirmed.ContactId, confirmed.Tags) { Timestamp = time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
        }

        return done;
    }

    private async Task<ConfirmationLink?> VerifyAsync(string token, CancellationToken cancellationToken) =>
        new SubscriptionTokens(await KeyAsync(cancellationToken).ConfigureAwait(false)).Verify(token, time.GetUtcNow(), subscribe.Value.ConfirmationLifetime);

    private async Task<byte[]> KeyAsync(CancellationToken cancellationToken) => (await keys.GetTokensAsync(cancellationToken).ConfigureAwait(false)).Key;

    [LoggerMessage(EventId = 3501, Level = LogLevel.Information, Message = "Sent a subscription confirmation to contact {ContactId} (now {Status})")]
    private static partial void LogRequested(ILogger logger, long contactId, MarketingStatus status);

    [LoggerMessage(EventId = 3502, Level = LogLevel.Information, Message = "Contact {ContactId} confirmed their subscription")]
    private static partial void LogConfirmed(ILogger logger, long contactId);
}
