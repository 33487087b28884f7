namespace Crm.Channels.Attachments;

/// <summary>
/// Where attachment bytes live, addressed by their SHA-256 (the same file twice is stored once). Streams in and out:
/// no whole file is held in memory.
/// </summary>
public interface IAttachmentStore
{
    /// <summary>Stores the content and answers its key (lower-case hex SHA-256).</summary>
    /// <exception cref="AttachmentTooLargeException">The content is longer than <paramref name="maxBytes"/>; nothing is kept.</exception>
    Task<string> PutAsync(Stream content, long maxBytes, CancellationToken cancellationToken);

    /// <summary>Opens stored content for reading, or null when there is none under the key.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken);
}

/// <summary>An attachment over a size limit: recorded as "not kept", never a reason to refuse its message.</summary>
public sealed class AttachmentTooLargeException(long limit) : Exception($"The attachment is larger than {limit} bytes.")
{
    /// <summary>The limit it broke.</summary>
    public long Limit { get; } = limit;
}
