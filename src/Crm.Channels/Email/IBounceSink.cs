namespace Crm.Channels.Email;

/// <summary>
/// What a delivery-status report (or a bounce in another style) says, with what ties it to mail we sent: the Message-IDs
/// it quotes from the returned message, and the addresses it was delivered to (a VERP return path arrives here).
/// </summary>
/// <param name="FailedRecipients">The addresses it says failed for good (lower-cased).</param>
/// <param name="QuotedMessageIds">Message-IDs of the failed message: the returned headers' Message-ID and <c>X-Original-Message-ID</c>.</param>
/// <param name="ReportRecipients">Where the report was sent: To, Delivered-To, X-Original-To, Envelope-To.</param>
/// <param name="Reason">How it was recognised (for logs).</param>
public sealed record DeliveryReport(IReadOnlyList<string> FailedRecipients, IReadOnlyList<string> QuotedMessageIds, IReadOnlyList<string> ReportRecipients, string Reason);

/// <summary>
/// Acts on delivery reports. A sink must act only on a report it can tie to mail it sent (anyone can mail the support
/// address a hand-made report): Crm.Storage.EfCore registers one that suppresses a campaign recipient when the report
/// quotes that message's signed Message-ID or arrives at its signed VERP address. Reports no sink acts on become tickets,
/// so agents see them.
/// </summary>
public interface IBounceSink
{
    /// <summary>Records the report if it names mail this sink sent.</summary>
    /// <returns>True when the report was tied to our mail and acted on.</returns>
    Task<bool> RecordAsync(DeliveryReport report, CancellationToken cancellationToken);
}
