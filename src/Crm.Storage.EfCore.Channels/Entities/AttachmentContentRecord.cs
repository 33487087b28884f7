using Crm.Storage.EfCore.Entities;
namespace Crm.Storage.EfCore.Channels.Entities;

/// <summary>A row of <c>attachment_contents</c>: one kept file, by its SHA-256; its bytes are the upload's chunks.</summary>
internal sealed class AttachmentContentRecord : ICrmRecord
{
    /// <summary>The lower-case hex SHA-256 of the bytes.</summary>
    public string Key { get; set; } = "";

    /// <summary>The upload whose chunks hold the bytes.</summary>
    public Guid UploadId { get; set; }

    /// <summary>The length in bytes.</summary>
    public long Length { get; set; }

    /// <summary>When the content was last stored (the retention clock).</summary>
    public DateTimeOffset StoredAt { get; set; }
}
