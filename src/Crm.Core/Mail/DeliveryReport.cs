namespace Crm.Mail;

/// <summary>
/// What a delivery-status report (or a bounce in another style) says, with what ties it to mail we sent: the Message-IDs
/// it quotes from the returned message, and the addresses it was delivered to (a VERP return path arrives here).
/// </summary>
/// <param name="FailedRecipients">The addresses it says failed for good (lower-cased).</param>
/// <param name="QuotedMessageIds">Message-IDs of the failed message: the returned headers' Message-ID and <c>X-Original-Message-ID</c>.</param>
/// <param name="ReportRecipients">Where the report was sent: To, Delivered-To, X-Original-To, Envelope-To.</param>
/// <param name="Reason">How it was recognised (for logs).</param>
public sealed record DeliveryReport(IReadOnlyList<string> FailedRecipients, IReadOnlyList<string> QuotedMessageIds, IReadOnlyList<string> ReportRecipients, string Reason);
