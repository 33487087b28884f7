using System.ComponentModel.DataAnnotations;

namespace Crm.Channels.Attachments;

/// <summary>How customers' attachments are kept.</summary>
public sealed class AttachmentOptions
{
    /// <summary>The folder of the file-system store. Default <c>attachments</c> (beside the database in the sample host).</summary>
    [Required]
    public string Directory { get; set; } = "attachments";

    /// <summary>The largest file kept; a larger one is recorded as not kept. Default 25 MiB.</summary>
    [Range(1024, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 25L * 1024 * 1024;

    /// <summary>The most attachment bytes kept per message; the rest are recorded as not kept. Default 50 MiB.</summary>
    [Range(1024, long.MaxValue)]
    public long MaxMessageBytes { get; set; } = 50L * 1024 * 1024;
}
