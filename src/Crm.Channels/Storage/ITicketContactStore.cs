using Crm.Channels.Tickets;

namespace Crm.Channels.Storage;

/// <summary>
/// The channels' view of contacts: who wrote, found by the channel's own id, email or phone, created when new.
/// </summary>
public interface ITicketContactStore
{
    /// <summary>
    /// Finds the contact with this channel id, email (preferred) or phone, creating it when none matches.
    /// Must be safe under concurrent calls for the same identity: one contact results.
    /// </summary>
    /// <param name="external">
    /// The sender's id on the message's channel, or null. It is the channel's own word (its adapter authenticated the
    /// webhook), so it finds its contact before the email or phone does; it is linked to a contact found by email or
    /// phone only when <paramref name="senderVerified"/>, and to the contact created otherwise.
    /// </param>
    /// <param name="email">Lower-cased email, or null.</param>
    /// <param name="phone">E.164 phone, or null.</param>
    /// <param name="name">Display name, used when the contact is created, or (when <paramref name="senderVerified"/>) has none.</param>
    /// <param name="senderVerified">
    /// True when the transport proved the sender owns this identity (a signed WhatsApp webhook). Only then may an
    /// existing contact's empty fields be filled in; an unverified claim (chat, email's From) never changes a stored contact.
    /// </param>
    /// <param name="now">The creation time.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ContactSummary> ResolveContactAsync(ExternalIdentity? external, string? email, string? phone, string? name, bool senderVerified, DateTimeOffset now, CancellationToken cancellationToken);
}
