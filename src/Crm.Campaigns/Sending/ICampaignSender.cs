using MimeKit;

namespace Crm.Campaigns.Sending;

/// <summary>
/// Hands one finished message to a mail transport. Returning means the transport accepted it (the SMTP
/// server answered 250 to DATA); only then is the ledger row marked sent. Implementations must be safe
/// for concurrent calls. The dispatcher disposes the message once <see cref="SendAsync"/> has returned or thrown: a
/// sender that hands it on for later (a queue, a batch API) copies what it needs first.
/// </summary>
public interface ICampaignSender
{
    /// <summary>Sends one message.</summary>
    /// <param name="message">The message; its To, Cc and Bcc are the envelope recipients.</param>
    /// <param name="envelopeFrom">
    /// The envelope sender (SMTP <c>MAIL FROM</c>, the <c>Return-Path</c> bounces go to), e.g. a campaign's VERP address;
    /// the message's From when null.
    /// </param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <exception cref="CampaignSendException">The transport refused it, for now or for good.</exception>
    Task SendAsync(MimeMessage message, MailboxAddress? envelopeFrom, CancellationToken cancellationToken);

    /// <summary>How many messages the dispatcher may hand over at once (e.g. pooled SMTP connections). Default 1.</summary>
    int Concurrency => 1;
}
