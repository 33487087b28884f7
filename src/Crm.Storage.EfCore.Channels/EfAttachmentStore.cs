using System.Security.Cryptography;
using Crm.Channels.Attachments;
using Crm.Storage.EfCore.Channels.Entities;
using Microsoft.EntityFrameworkCore;

namespace Crm.Storage.EfCore.Channels;

/// <summary>
/// Attachments in the database, so several hosts share them with no extra server: each file is written as 1 MiB
/// chunks of an upload while it is hashed, then named by its SHA-256 in <c>attachment_contents</c> (the same bytes
/// stored twice keep one copy). Reading streams chunk by chunk and can seek, for range requests.
/// </summary>
/// <typeparam name="TContext">A context that applied <c>ApplyCrmChannels()</c>.</typeparam>
internal sealed class EfAttachmentStore<TContext>(IDbContextFactory<TContext> contexts, TimeProvider time) : IAttachmentStore
    where TContext : DbContext
{
    /// <summary>The size of every chunk but an upload's last.</summary>
    internal const int ChunkSize = 1024 * 1024;

    public async Task<StoredAttachment> PutAsync(Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var uploadId = Guid.NewGuid();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkSize];
        long total = 0;
        var sequence = 0;
        try
        {
            while (true)
            {
                var filled = 0;
                int read;
                while (filled < ChunkSize && (read = await content.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    filled += read;
                }

                total += filled;
                if (total > maxBytes)
                {
                    throw new AttachmentTooLargeException(maxBytes);
                }

                if (filled == 0 && sequence > 0)
                {
                    break;
                }

                hash.AppendData(buffer, 0, filled);
                await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
                {
                    db.Add(new AttachmentChunkRecord { UploadId = uploadId, Sequence = sequence++, Data = buffer.AsSpan(0, filled).ToArray(), CreatedAt = time.GetUtcNow() });
                    await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                }

                if (filled < ChunkSize)
                {
                    break;
                }
            }

            var key = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (!await ClaimAsync(key, uploadId, total, cancellationToken).ConfigureAwait(false))
            {
                // The same bytes are already kept: this upload's chunks go, the kept copy starts a new retention period.
                await DeleteChunksAsync(uploadId, CancellationToken.None).ConfigureAwait(false);
                return new StoredAttachment(key, total);
            }

            return new StoredAttachment(key, total) { IsNew = true };
        }
        catch
        {
            await DeleteChunksAsync(uploadId, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    public async Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var content = await db.Set<AttachmentContentRecord>().AsNoTracking().FirstOrDefaultAsync(c => c.Key == key, cancellationToken).ConfigureAwait(false);
        return content is null ? null : new ChunkedReadStream(contexts, content.UploadId, content.Length);
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var uploadId = await db.Set<AttachmentContentRecord>().Where(c => c.Key == key).Select(c => (Guid?)c.UploadId).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (uploadId is { } upload && await db.Set<AttachmentContentRecord>().Where(c => c.Key == key).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) > 0)
        {
            await db.Set<AttachmentChunkRecord>().Where(c => c.UploadId == upload).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<int> DeleteStoredBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        cutoff = cutoff.ToUniversalTime();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var expired = await db.Set<AttachmentContentRecord>().Where(c => c.StoredAt < cutoff).Select(c => new { c.Key, c.UploadId }).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var content in expired)
        {
            // Only if it was not stored again meanwhile.
            if (await db.Set<AttachmentContentRecord>().Where(c => c.Key == content.Key && c.StoredAt < cutoff).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) > 0)
            {
                await db.Set<AttachmentChunkRecord>().Where(c => c.UploadId == content.UploadId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        // Chunks of uploads that never finished (a crash mid-write).
        await db.Set<AttachmentChunkRecord>()
            .Where(c => c.CreatedAt < cutoff && !db.Set<AttachmentContentRecord>().Any(k => k.UploadId == c.UploadId))
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        return expired.Count;
    }

    /// <summary>Names the upload's chunks by the key, or renews the existing content; false when the key was already kept.</summary>
    private async Task<bool> ClaimAsync(string key, Guid uploadId, long length, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUniversalTime();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        if (await db.Set<AttachmentContentRecord>().Where(c => c.Key == key).ExecuteUpdateAsync(u => u.SetProperty(c => c.StoredAt, now), cancellationToken).ConfigureAwait(false) > 0)
        {
            return false;
        }

        db.Add(new AttachmentContentRecord { Key = key, UploadId = uploadId, Length = length, StoredAt = now });
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbUpdateException)
        {
            // Another host stored the same bytes at the same moment; anything else is a real failure.
            if (await ExistsAsync(key, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            throw;
        }
    }

    private async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<AttachmentContentRecord>().AnyAsync(c => c.Key == key, cancellationToken).ConfigureAwait(false);
    }

    private async Task DeleteChunksAsync(Guid uploadId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Set<AttachmentChunkRecord>().Where(c => c.UploadId == uploadId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The chunks of one upload as a seekable stream: one chunk in memory at a time.</summary>
    private sealed class ChunkedReadStream(IDbContextFactory<TContext> contexts, Guid uploadId, long length) : Stream
    {
        private byte[] _chunk = [];
        private int _chunkSequence = -1;
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => _position = value is >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= length || buffer.Length == 0)
            {
                return 0;
            }

            var sequence = (int)(_position / ChunkSize);
            if (sequence != _chunkSequence)
            {
                await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
                _chunk = await db.Set<AttachmentChunkRecord>().AsNoTracking().Where(c => c.UploadId == uploadId && c.Sequence == sequence)
                    .Select(c => c.Data).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new IOException($"Attachment chunk {sequence} of upload {uploadId} is missing.");
                _chunkSequence = sequence;
            }

            var offset = (int)(_position - ((long)sequence * ChunkSize));
            var count = Math.Min(buffer.Length, _chunk.Length - offset);
            _chunk.AsSpan(offset, count).CopyTo(buffer.Span);
            _position += count;
            return count;
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
