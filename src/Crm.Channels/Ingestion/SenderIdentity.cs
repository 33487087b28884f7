
namespace Crm.Channels.Ingestion;

/// <summary>Who sent a message. <see cref="ExternalId"/>, <see cref="Email"/> or <see cref="Phone"/> identifies a contact.</summary>
/// <param name="Email">The sender's address (the pipeline lower-cases it).</param>
/// <param name="Phone">The sender's phone number in E.164, or a form the pipeline can normalise to it (<c>00</c> prefix, spaces, dashes).</param>
/// <param name="Name">The display name (recorded as the message's author).</param>
/// <param name="IsVerified">
/// True when the transport authenticated the sender (a signed WhatsApp webhook names the number Twilio saw). Data from
/// an unverified sender (chat, an email's From) is recorded on the message only and never changes a stored contact.
/// </param>
public sealed record SenderIdentity(string? Email = null, string? Phone = null, string? Name = null, bool IsVerified = false)
{
    /// <summary>
    /// The sender's id on this channel, for channels that know people by neither email nor phone (a Telegram user id).
    /// Scoped to the message's channel (<c>telegram:123456</c> is no one on another channel), it finds the same contact
    /// every time, so <see cref="ThreadHints.JoinOpenTicketOfSender"/> keeps one conversation, and reply senders find it
    /// in <see cref="Tickets.ContactSummary.ExternalIds"/>. Set it only from what the adapter authenticated. At most 256
    /// characters, no control characters.
    /// </summary>
    public string? ExternalId { get; init; }
}
