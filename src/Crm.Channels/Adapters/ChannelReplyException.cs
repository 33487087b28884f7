
namespace Crm.Channels.Adapters;

/// <summary>The transport refused a reply (answered as 502 by the endpoint, with this message).</summary>
public sealed class ChannelReplyException(string message, Exception? innerException = null) : Exception(message, innerException);
