using System.ComponentModel.DataAnnotations;

namespace Crm.Channels.Attachments;

/// <summary>How customers' and agents' attachments are kept (<c>Crm:Attachments</c>).</summary>
public sealed class AttachmentOptions
{
    /// <summary>The service key under which a storage package registers its database <see cref="IAttachmentStore"/>.</summary>
    public const string DatabaseStoreKey = "crm.attachments.database";

    /// <summary>
    /// Where the bytes go: <see cref="AttachmentStoreKind.FileSystem"/> (the default, a folder) or
    /// <see cref="AttachmentStoreKind.Database"/> (the CRM's database, shared by every host on it; needs the EF Core stores).
    /// </summary>
    public AttachmentStoreKind Store { get; set; } = AttachmentStoreKind.FileSystem;

    /// <summary>The folder of the file-system store. Default <c>attachments</c> (beside the database in the sample host).</summary>
    [Required]
    public string Directory { get; set; } = "attachments";

    /// <summary>The largest file kept; a larger one is recorded as not kept. Default 25 MiB.</summary>
    [Range(1024, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 25L * 1024 * 1024;

    /// <summary>The most attachment bytes kept per message; the rest are recorded as not kept. Default 50 MiB.</summary>
    [Range(1024, long.MaxValue)]
    public long MaxMessageBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>
    /// The most attachment bytes kept per ticket, customers' and agents' files together; files beyond it are recorded as
    /// not kept, and an agent's reply whose files would pass it is refused (409). Default 250 MiB.
    /// </summary>
    [Range(1024, long.MaxValue)]
    public long MaxTicketBytes { get; set; } = 250L * 1024 * 1024;

    /// <summary>The most files an agent may attach to one reply. Default 10.</summary>
    [Range(1, 100)]
    public int MaxReplyFiles { get; set; } = 10;

    /// <summary>
    /// How long a signed attachment link (for chat visitors, and for Twilio fetching a WhatsApp reply's media) stays
    /// valid. Default one hour.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long attachment content is kept after it was last stored; null (the default) keeps it for ever. A sweep
    /// deletes older content every <see cref="RetentionSweepInterval"/>; the messages keep the attachments' names.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "36500.00:00:00")]
    public TimeSpan? Retention { get; set; }

    /// <summary>How often the retention sweep runs. Default one hour.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan RetentionSweepInterval { get; set; } = TimeSpan.FromHours(1);
}
