namespace Crm.Channels.Attachments;

/// <summary>
/// Where attachment bytes live, addressed by their SHA-256 (the same file twice is stored once). Streams in and out:
/// no whole file is held in memory.
/// </summary>
public interface IAttachmentStore
{
    /// <summary>Stores the content (or renews the same content already stored) and answers its key (lower-case hex SHA-256) and length.</summary>
    /// <exception cref="AttachmentTooLargeException">The content is longer than <paramref name="maxBytes"/>; nothing is kept.</exception>
    Task<StoredAttachment> PutAsync(Stream content, long maxBytes, CancellationToken cancellationToken);

    /// <summary>Opens stored content for reading, or null when there is none under the key.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes content a refused request stored (<see cref="StoredAttachment.IsNew"/>), so a refused request keeps
    /// nothing. The default keeps the bytes until the retention sweep.
    /// </summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deletes content last stored before <paramref name="cutoff"/> (the retention sweep); answers how many were deleted.</summary>
    Task<int> DeleteStoredBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
