namespace Crm.Channels.Email;

/// <summary>What an email turned out to be.</summary>
public enum EmailKind
{
    /// <summary>A person wrote to support: it becomes a ticket message.</summary>
    Message,

    /// <summary>An automatic reply (vacation notice, auto-responder, mailing list): never a ticket.</summary>
    AutoReply,

    /// <summary>A delivery failure report tied to mail we sent: handed to the bounce sinks, never a ticket.</summary>
    Bounce,

    /// <summary>A verified request to stop marketing mail (a <c>List-Unsubscribe</c> <c>mailto:</c>): carried out, never a ticket.</summary>
    Unsubscribe,

    /// <summary>A delivery report no sink could tie to mail we sent (possibly forged): acted on by nobody, kept as a ticket for agents.</summary>
    UnmatchedBounce,
}
