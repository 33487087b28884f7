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
}

/// <summary>One mailbox the IMAP poller watches. Configure several with named options.</summary>
public sealed class ImapMailboxOptions
{
    /// <summary>The IMAP server.</summary>
    [Required]
    public string Host { get; set; } = "";

    /// <summary>Its port. Default 993.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 993;

    /// <summary>TLS: <c>Auto</c> (implicit TLS on 993, STARTTLS when offered elsewhere), <c>None</c>, <c>StartTls</c>, <c>SslOnConnect</c>.</summary>
    public MailSecurity Security { get; set; } = MailSecurity.Auto;

    /// <summary>The login.</summary>
    [Required]
    public string UserName { get; set; } = "";

    /// <summary>The password.</summary>
    [Required]
    public string Password { get; set; } = "";

    /// <summary>The folder to take mail from. Default <c>INBOX</c>.</summary>
    [Required]
    public string Folder { get; set; } = "INBOX";

    /// <summary>How often to look for new mail when the server has no IDLE (and the longest IDLE). Default 1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:29:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Waits with IMAP IDLE when the server offers it, so mail is taken within a second. Default true.</summary>
    public bool UseIdle { get; set; } = true;

    /// <summary>What to do with a message once stored. Default <see cref="ProcessedMailAction.None"/>: never delete by default.</summary>
    public ProcessedMailAction AfterProcessing { get; set; } = ProcessedMailAction.None;

    /// <summary>The folder processed mail moves to with <see cref="ProcessedMailAction.Move"/>.</summary>
    public string? MoveToFolder { get; set; }

    /// <summary>The longest wait between reconnection attempts. Default 1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>What the poller does with a message it has stored.</summary>
public enum ProcessedMailAction
{
    /// <summary>Leave it as it is (the checkpoint, not flags, tracks progress).</summary>
    None,

    /// <summary>Set <c>\Seen</c>.</summary>
    MarkSeen,

    /// <summary>Move it to <see cref="ImapMailboxOptions.MoveToFolder"/>.</summary>
    Move,
}

/// <summary>How a mail connection is secured.</summary>
public enum MailSecurity
{
    /// <summary>Implicit TLS on the well-known TLS ports, STARTTLS when offered elsewhere.</summary>
    Auto,

    /// <summary>Plain text (loopback and tests only).</summary>
    None,

    /// <summary>STARTTLS, required.</summary>
    StartTls,

    /// <summary>TLS from the first byte.</summary>
    SslOnConnect,
}
