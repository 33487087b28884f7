using Crm.Storage.EfCore.Entities;
namespace Crm.Storage.EfCore.Channels.Entities;

/// <summary>A row of <c>attachment_chunks</c>: up to 1 MiB of one upload's bytes, in order.</summary>
internal sealed class AttachmentChunkRecord : ICrmRecord
{
    /// <summary>The upload.</summary>
    public Guid UploadId { get; set; }

    /// <summary>The chunk's place, from 0.</summary>
    public int Sequence { get; set; }

    /// <summary>The bytes.</summary>
    public byte[] Data { get; set; } = [];

    /// <summary>When it was written (chunks of an upload that never finished are swept after the retention period).</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
