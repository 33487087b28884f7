using Crm.Channels.Attachments;
using System.Text.RegularExpressions;
using Crm.Channels.Tickets;
using MimeKit;

namespace Crm.Channels.Email;

/// <summary>Files a message carries: MIME parts and uuencoded blocks in its text.</summary>
internal static partial class EmailReader
{
    [GeneratedRegex(@"\[image: [^\]\r\n]{0,200}\]")]
    private static partial Regex ImagePlaceholder();

    /// <summary>The HTML parts that make up the body: every HTML part that is not an attachment (an attached message's are its own).</summary>
    private static List<TextPart> BodyHtmlParts(MimeMessage message) =>
        [.. message.BodyParts.OfType<TextPart>().Where(p => p.IsHtml && !p.IsAttachment)];

    /// <summary>
    /// Every part that is not the chosen text or HTML body: attachments, inline images, an inline PDF, attached mail —
    /// with or without a file name (a nameless one is called <c>attachment-N.ext</c> after its type).
    /// </summary>
    internal static (IReadOnlyList<AttachmentInfo> Infos, IReadOnlyList<MimeEntity> Parts) AttachmentsOf(MimeMessage message, int max)
    {
        var textBody = message.BodyParts.OfType<TextPart>().FirstOrDefault(p => !p.IsAttachment && p.IsPlain);
        var htmlBodies = BodyHtmlParts(message);
        var infos = new List<AttachmentInfo>();
        var parts = new List<MimeEntity>();
        foreach (var entity in message.BodyParts)
        {
            // A returned message that is empty (a report quoting nothing) is no file: kept, it would be a byte of nothing.
            if (ReferenceEquals(entity, textBody) || htmlBodies.Any(h => ReferenceEquals(entity, h)) || infos.Count == max
                || entity is MessagePart { Message: null or { Headers.Count: 0, Body: null } })
            {
                continue;
            }

            var info = Describe(entity);
            if (string.IsNullOrWhiteSpace(info.FileName))
            {
                // A bounce that becomes a ticket keeps its machine-readable report beside the text, readable by name.
                info = info with
                {
                    FileName = entity is MessageDeliveryStatus ? "delivery-status.txt"
                        : $"attachment-{infos.Count + 1}{(MimeTypes.TryGetExtension(entity.ContentType.MimeType, out var extension) ? extension : ".bin")}",
                };
            }

            infos.Add(info with { ContentId = string.IsNullOrEmpty(entity.ContentId) ? null : entity.ContentId, Inline = !entity.IsAttachment });
            parts.Add(entity);
        }

        return (infos, parts);
    }

    /// <summary>
    /// Puts back the <c>begin</c> line some clients leave out of an <c>x-uuencode</c> part: the decoder skips everything
    /// until it sees one, so the part's content would be lost.
    /// </summary>
    private static void RestoreUuencodeBeginLines(MimeMessage message)
    {
        foreach (var part in message.BodyParts.OfType<MimePart>())
        {
            if (part.ContentTransferEncoding != ContentEncoding.UUEncode || part.Content is null)
            {
                continue;
            }

            using var encoded = new MemoryStream();
            part.Content.WriteTo(encoded);
            var bytes = encoded.ToArray();
            if (HasBeginLine(bytes))
            {
                continue;
            }

            var restored = new MemoryStream(bytes.Length + 32);
            restored.Write("begin 644 file\r\n"u8);
            restored.Write(bytes);
            restored.Write(bytes.Length > 0 && bytes[^1] == '\n' ? "`\r\nend\r\n"u8 : "\r\n`\r\nend\r\n"u8);
            restored.Position = 0;
            part.Content = new MimeContent(restored, ContentEncoding.UUEncode);
        }

        static bool HasBeginLine(ReadOnlySpan<byte> content)
        {
            for (var start = 0; start < content.Length;)
            {
                if (content[start..].StartsWith("begin "u8))
                {
                    return true;
                }

                var next = content[start..].IndexOf((byte)'\n');
                if (next < 0)
                {
                    return false;
                }

                start += next + 1;
            }

            return false;
        }
    }

    private static AttachmentInfo Describe(MimeEntity entity)
    {
        var name = AttachmentFileName.Clean(entity is MimePart part ? part.FileName : (entity as MessagePart)?.Message?.Subject);
        long? size = null;
        if (entity is MimePart { Content: not null } mimePart)
        {
            using var counter = new CountingStream();
            mimePart.Content.DecodeTo(counter);
            size = counter.Length;
        }
        else if (entity is MessagePart { Message: { } attached })
        {
            // As it is kept: the attached message itself, without the part's own headers.
            using var counter = new CountingStream();
            attached.WriteTo(counter);
            size = counter.Length;
        }

        return new AttachmentInfo(name, entity.ContentType.MimeType, size);
    }

    /// <summary>
    /// Files uuencoded into the text (older clients and gateways put <c>begin 644 name</c> … <c>end</c> in the body):
    /// each becomes an attachment and leaves the text.
    /// </summary>
    private static (string Text, IReadOnlyList<MimePart> Files) UuencodedFiles(string text, int room)
    {
        if (room <= 0 || !text.Contains("begin ", StringComparison.Ordinal))
        {
            return (text, []);
        }

        var files = new List<MimePart>();
        string rest;
        try
        {
            rest = ReplaceUuencoded(text, room, files);
        }
        catch (RegexMatchTimeoutException)
        {
            // Hostile text that makes the search slow stays text; nothing is lost.
            return (text, []);
        }

        return (rest.Trim(), files);
    }

    private static string ReplaceUuencoded(string text, int room, List<MimePart> files) =>
        UuencodedBlock().Replace(text, match =>
        {
            if (files.Count == room)
            {
                return match.Value;
            }

            var encoded = System.Text.Encoding.ASCII.GetBytes(match.Groups["body"].Value);
            var decoder = new MimeKit.Encodings.UUDecoder(payloadOnly: true);
            var decoded = new byte[decoder.EstimateOutputLength(encoded.Length)];
            var length = decoder.Decode(encoded, 0, encoded.Length, decoded);
            var name = match.Groups["name"].Value.Trim();
            files.Add(new MimePart(MimeTypes.GetMimeType(name))
            {
                FileName = name,
                ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { FileName = name },
                Content = new MimeContent(new MemoryStream(decoded, 0, length, writable: false)),
            });
            return "";
        });

    [GeneratedRegex(@"^begin [0-7]{3,4} (?<name>[^\r\n]{1,255})\r?\n(?<body>(?:[^\r\n]{0,100}\r?\n){0,2000000}?)end\r?$", RegexOptions.Multiline, matchTimeoutMilliseconds: 2000)]
    private static partial Regex UuencodedBlock();
}
