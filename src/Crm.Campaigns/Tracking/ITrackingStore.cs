namespace Crm.Campaigns.Tracking;

/// <summary>Records opens, clicks and unsubscribes, counted exactly under concurrent hits.</summary>
public interface ITrackingStore
{
    /// <summary>
    /// Records opens, atomically per call: each is a total open, and a recipient's first ever open is a unique open.
    /// Opens naming a recipient who is not in that campaign's ledger are ignored.
    /// </summary>
    /// <returns>How many opens were recorded.</returns>
    /// <remarks>
    /// An open flagged <see cref="OpenEvent.Machine"/>, or within <paramref name="machineOpenWindow"/> of the send, is a
    /// machine open: counted apart, never as a person's open.
    /// </remarks>
    Task<int> RecordOpensAsync(IReadOnlyList<OpenEvent> opens, TimeSpan machineOpenWindow, CancellationToken cancellationToken);

    /// <summary>
    /// Unsubscribes the recipient's contact from marketing mail, idempotently: the campaign's unsubscribe
    /// counter moves once per recipient, however many times it is called.
    /// </summary>
    /// <returns>False when the recipient is not in that campaign's ledger.</returns>
    Task<bool> UnsubscribeAsync(long campaignId, long recipientId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Records a click: counted in the campaign's total and the link's; the recipient's first click on the campaign, and
    /// on the link, counts once.
    /// </summary>
    /// <returns>False when the recipient is not on that campaign's ledger.</returns>
    Task<bool> RecordClickAsync(ClickEvent click, CancellationToken cancellationToken);

    /// <summary>The clicks per link of a campaign, for the links that were clicked.</summary>
    Task<IReadOnlyList<(int Index, int UniqueClicks, int TotalClicks)>> GetLinkClicksAsync(long campaignId, CancellationToken cancellationToken);
}
