using System.ComponentModel.DataAnnotations;

namespace Crm.Channels.Email;

/// <summary>Settings of the email channel shared by the webhook and the IMAP poller.</summary>
public sealed class EmailOptions
{
    /// <summary>
    /// The shared secret a mail relay sends to <c>POST /tickets?channel=email</c>, as <c>X-Crm-Secret</c> or as the
    /// HTTP basic password. When unset the webhook is off (404); the IMAP poller works either way.
    /// </summary>
    [MinLength(16)]
    public string? InboundSecret { get; set; }

    /// <summary>The largest raw message accepted, in bytes. Default 25 MiB.</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>How many attachments per message are recorded (metadata only). Default 50.</summary>
    [Range(0, 1000)]
    public int MaxAttachments { get; set; } = 50;

    /// <summary>The most MIME parts (leaves, multiparts and attached messages) one message may have; more is refused. Default 500.</summary>
    [Range(1, 100_000)]
    public int MaxMimeParts { get; set; } = 500;

    /// <summary>How deep multiparts and attached messages may nest; deeper is refused. Default 20.</summary>
    [Range(1, 1000)]
    public int MaxMimeDepth { get; set; } = 20;

    /// <summary>The longest HTML body kept after sanitising, in characters; longer HTML is dropped (the text stays). Default 1 MiB.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxHtmlLength { get; set; } = 1024 * 1024;

    /// <summary>
    /// Our own sending addresses (the reply mailbox, campaign senders): mail from them that comes back in is never a
    /// ticket (a notification or a loop, not a customer).
    /// </summary>
    public IList<string> OwnAddresses { get; } = [];

    /// <summary>
    /// Which inbox each of our receiving addresses belongs to (lower-case address to inbox name): a mail's ticket
    /// remembers the inbox of the first of these it was delivered to (<c>Delivered-To</c>, then <c>To</c>, then
    /// <c>Cc</c>). Filled in by <c>AddEmailReplies</c> and <c>AddEmailInbox</c>; these addresses are <see cref="OwnAddresses"/> too.
    /// </summary>
    public IDictionary<string, string> InboxAddresses { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
}
