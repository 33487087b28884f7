using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Attachments;

/// <summary>
/// Attachments as files, <c>{Directory}/{first two hex digits}/{sha256}</c>: written to a temporary file while hashed,
/// then moved into place, so a reader never sees half a file and a crash leaves at most a temporary file behind.
/// </summary>
internal sealed partial class FileSystemAttachmentStore(IOptions<AttachmentOptions> options) : IAttachmentStore
{
    public async Task<StoredAttachment> PutAsync(Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var root = options.Value.Directory;
        Directory.CreateDirectory(root);
        var temporary = Path.Combine(root, $".incoming-{Guid.NewGuid():N}");
        try
        {
            string key;
            long total = 0;
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                    if (total > maxBytes)
                    {
                        throw new AttachmentTooLargeException(maxBytes);
                    }

                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }

                key = Convert.ToHexStringLower(hash.GetHashAndReset());
            }

            var target = PathFor(key);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (File.Exists(target))
            {
                // Content-addressed: the same bytes are already kept; stored again, they start a new retention period.
                File.Delete(temporary);
                File.SetLastWriteTimeUtc(target, DateTime.UtcNow);
                return new StoredAttachment(key, total);
            }

            File.Move(temporary, target, overwrite: true);
            return new StoredAttachment(key, total) { IsNew = true };
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        // Keys are hashes this store made: anything else (a path, dots) never reaches the file system.
        if (!KeyPattern().IsMatch(key) || !File.Exists(PathFor(key)))
        {
            return Task.FromResult<Stream?>(null);
        }

        return Task.FromResult<Stream?>(new FileStream(PathFor(key), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true));
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        // A key this store never made, or content already gone (its folder too), is nothing to delete.
        if (KeyPattern().IsMatch(key) && File.Exists(PathFor(key)))
        {
            File.Delete(PathFor(key));
        }

        return Task.CompletedTask;
    }

    public Task<int> DeleteStoredBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var root = options.Value.Directory;
        if (!Directory.Exists(root))
        {
            return Task.FromResult(0);
        }

        var deleted = 0;
        // Kept files, and temporary files a crash left behind.
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(file);
            if ((KeyPattern().IsMatch(name) || name.StartsWith(".incoming-", StringComparison.Ordinal)) && File.GetLastWriteTimeUtc(file) < cutoff.UtcDateTime)
            {
                File.Delete(file);
                deleted++;
            }
        }

        return Task.FromResult(deleted);
    }

    private string PathFor(string key) => Path.Combine(options.Value.Directory, key[..2], key);

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex KeyPattern();
}
