namespace Crm.Channels.Adapters;

/// <summary>
/// Checks that a file claiming an image or PDF type starts like one (its magic bytes), so a page or a script cannot be
/// uploaded as "image/png"; text must hold no NUL bytes at its start. Other types pass as they are.
/// </summary>
internal static class FileSignatures
{
    private const int PrefixLength = 16;

    /// <summary>The content, with its first bytes checked against <paramref name="contentType"/>, still to be read whole.</summary>
    /// <exception cref="ChannelRequestException">415 when the bytes are not what the type says.</exception>
    public static async Task<Stream> CheckedAsync(Stream content, string contentType, CancellationToken cancellationToken)
    {
        var prefix = new byte[PrefixLength];
        var length = 0;
        int read;
        while (length < PrefixLength && (read = await content.ReadAsync(prefix.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        if (!Matches(prefix.AsSpan(0, length), contentType))
        {
            throw new ChannelRequestException(Microsoft.AspNetCore.Http.StatusCodes.Status415UnsupportedMediaType, "File content does not match its type", $"The file is not a {contentType} file.");
        }

        return new PrefixedStream(prefix.AsMemory(0, length), content);
    }

    internal static bool Matches(ReadOnlySpan<byte> start, string contentType) => contentType switch
    {
        "image/png" => start.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']),
        "image/jpeg" => start.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]),
        "image/gif" => start.StartsWith("GIF8"u8),
        "image/webp" => start.Length >= 12 && start.StartsWith("RIFF"u8) && start[8..12].SequenceEqual("WEBP"u8),
        "application/pdf" => start.StartsWith("%PDF-"u8),
        "text/plain" => !start.Contains((byte)0),
        _ => !contentType.StartsWith("image/", StringComparison.Ordinal),
    };

    /// <summary>Bytes already read, then the rest of the stream.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_prefix.Length > 0)
            {
                var n = Math.Min(buffer.Length, _prefix.Length);
                _prefix[..n].CopyTo(buffer);
                _prefix = _prefix[n..];
                return n;
            }

            return await rest.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
