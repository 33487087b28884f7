namespace Crm.Channels.Storage;

/// <summary>
/// Thrown by a <see cref="ITicketStore"/> when a write lost a race: the message with the same
/// channel and external id was stored by someone else first.
/// </summary>
public sealed class DuplicateMessageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DuplicateMessageException(string channel, string externalMessageId, Exception? innerException = null)
        : base($"A message with id '{externalMessageId}' on channel '{channel}' is already stored.", innerException)
    {
        Channel = channel;
        ExternalMessageId = externalMessageId;
    }

    /// <summary>The channel.</summary>
    public string Channel { get; }

    /// <summary>The transport's message id.</summary>
    public string ExternalMessageId { get; }
}
