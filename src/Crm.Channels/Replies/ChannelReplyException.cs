namespace Crm.Channels.Replies;

/// <summary>
/// The transport refused a reply. <see cref="Permanent"/> refusals (a 5xx SMTP answer, an invalid number) mark the
/// reply failed with this message; others are retried with backoff. Any other exception a sender throws counts as
/// temporary.
/// </summary>
public sealed class ChannelReplyException(string message, bool permanent, Exception? innerException = null) : Exception(message, innerException)
{
    /// <summary>True when retrying cannot help.</summary>
    public bool Permanent { get; } = permanent;
}
