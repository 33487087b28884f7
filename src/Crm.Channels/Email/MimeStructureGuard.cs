using MimeKit;

namespace Crm.Channels.Email;

/// <summary>
/// Checks a message's MIME structure against <see cref="EmailOptions.MaxMimeParts"/> and <see cref="EmailOptions.MaxMimeDepth"/>
/// in one streaming pass, before anything builds a tree of it: MimeKit's parser keeps every part in memory, and a 12 MB
/// mail of 200,000 one-byte parts took 15 s and 1.4 GB. The pass stops at the first part over the limit.
/// </summary>
internal static class MimeStructureGuard
{
    /// <exception cref="EmailTooComplexException">The message has too many parts or nests too deep.</exception>
    public static void Check(byte[] raw, int maxParts, int maxDepth)
    {
        using var stream = new MemoryStream(raw, writable: false);
        new CountingReader(stream, maxParts, maxDepth).ReadMessage(CancellationToken.None);
    }

    private sealed class CountingReader(Stream stream, int maxParts, int maxDepth) : MimeReader(stream, MimeFormat.Entity)
    {
        private int _parts;
        private int _depth;

        protected override void OnMultipartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken)
        {
            Enter();
            base.OnMultipartBegin(contentType, beginOffset, beginLineNumber, cancellationToken);
        }

        protected override void OnMultipartEnd(ContentType contentType, long beginOffset, int beginLineNumber, long headersEndOffset, long endOffset, int lines, CancellationToken cancellationToken)
        {
            _depth--;
            base.OnMultipartEnd(contentType, beginOffset, beginLineNumber, headersEndOffset, endOffset, lines, cancellationToken);
        }

        protected override void OnMessagePartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken)
        {
            Enter();
            base.OnMessagePartBegin(contentType, beginOffset, beginLineNumber, cancellationToken);
        }

        protected override void OnMessagePartEnd(ContentType contentType, long beginOffset, int beginLineNumber, long headersEndOffset, long endOffset, int lines, CancellationToken cancellationToken)
        {
            _depth--;
            base.OnMessagePartEnd(contentType, beginOffset, beginLineNumber, headersEndOffset, endOffset, lines, cancellationToken);
        }

        protected override void OnMimePartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken)
        {
            Count();
            base.OnMimePartBegin(contentType, beginOffset, beginLineNumber, cancellationToken);
        }

        private void Enter()
        {
            Count();
            if (++_depth > maxDepth)
            {
                throw new EmailTooComplexException($"The message nests parts deeper than {maxDepth} levels.");
            }
        }

        private void Count()
        {
            if (++_parts > maxParts)
            {
                throw new EmailTooComplexException($"The message has more than {maxParts} MIME parts.");
            }
        }
    }
}
