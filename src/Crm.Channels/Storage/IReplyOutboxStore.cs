using Crm.Channels.Tickets;

namespace Crm.Channels.Storage;

/// <summary>
/// The outbound messages waiting to be sent: claimed under a lease by one host at a time, their attempts and the
/// channels' delivery reports recorded, and chat replies whose offline copy by email is due.
/// </summary>
public interface IReplyOutboxStore
{
    /// <summary>
    /// Claims up to <paramref name="max"/> queued outbound messages that are due, leasing each until
    /// <paramref name="now"/> + <paramref name="lease"/> and counting the attempt. A message is claimed by one caller
    /// at a time across every host instance; a lease that runs out (the claimer died) makes it claimable again.
    /// </summary>
    Task<IReadOnlyList<TicketMessage>> ClaimDueRepliesAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken);

    /// <summary>
    /// When the outbox next has work no signal announces — the earliest retry time of a queued reply, or a lease running
    /// out — so an idle outbox sleeps until then; null when there is none or the store cannot tell (the outbox then
    /// falls back to its safety poll).
    /// </summary>
    Task<DateTimeOffset?> NextReplyDueAsync(CancellationToken cancellationToken) => Task.FromResult<DateTimeOffset?>(null);

    /// <summary>Records the outcome of sending a claimed outbound message and releases its lease.</summary>
    Task RecordReplyAttemptAsync(long messageId, ReplyAttemptOutcome outcome, CancellationToken cancellationToken);

    /// <summary>
    /// Moves an outbound message's delivery status forward on the channel's report (a status callback); a report
    /// that arrives late never moves it back (read stays read), except to <see cref="DeliveryStatus.Failed"/>.
    /// </summary>
    /// <returns>The message as stored afterwards, or null when no outbound message has that id.</returns>
    Task<TicketMessage?> UpdateDeliveryStatusAsync(string channel, string externalMessageId, DeliveryStatus status, string? error, CancellationToken cancellationToken);

    /// <summary>
    /// Claims chat replies whose offline copy is due (<see cref="NewTicketMessage.OfflineCopyDueAt"/> passed) and that no
    /// widget has received yet; each is claimed once across every host instance, and its due time is cleared.
    /// </summary>
    Task<IReadOnlyList<TicketMessage>> ClaimDueOfflineCopiesAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);
}
