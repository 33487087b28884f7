namespace Crm.Channels.Replies;

/// <summary>
/// Which channels' replies are also sent by email when the customer has not received them in time (chat fills this in
/// from its <c>OfflineEmailAfter</c>), so the outbox needs to know nothing about any one channel.
/// </summary>
internal sealed class OfflineCopyOptions
{
    /// <summary>The channel copies go out on.</summary>
    public const string CopyChannel = "email";

    /// <summary>Per channel: how long a reply may go unreceived before an email copy is queued.</summary>
    public Dictionary<string, TimeSpan> DelayByChannel { get; } = new(StringComparer.Ordinal);
}
