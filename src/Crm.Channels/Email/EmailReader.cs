using Crm.Contacts;
using Crm.Mail;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Crm.Channels.Ingestion;
using Crm.Channels.Tickets;
using MimeKit;

namespace Crm.Channels.Email;

/// <summary>
/// Turns a raw RFC 5322 message into an <see cref="InboundMessage"/>, or recognises it as an auto-reply or a
/// bounce (RFC 3834 <c>Auto-Submitted</c>, <c>X-Autoreply</c>, <c>X-Autorespond</c>, <c>Precedence</c>; RFC 3464
/// delivery-status reports, <c>MAILER-DAEMON</c>/<c>postmaster</c> senders, an empty Return-Path).
/// </summary>
internal static partial class EmailReader
{
    /// <summary>The channel name.</summary>
    public const string ChannelName = "email";

    static EmailReader() => RegisterLegacyCharsets();

    /// <summary>
    /// .NET ships only the Unicode and Latin encodings; mail in GB2312, GBK, Big5, Shift_JIS, ISO-2022-JP, KOI8-R or a
    /// Windows code page needs the code-pages provider. It must be registered before MimeKit first looks up a charset
    /// (it remembers what it found), so <c>AddCrmChannels()</c> calls this at start-up, before any mail is parsed.
    /// </summary>
    internal static void RegisterLegacyCharsets() => System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);

    /// <summary>Parses and classifies one raw message.</summary>
    /// <exception cref="UnreadableEmailException">The bytes are not a usable email.</exception>
    public static EmailReadResult Read(byte[] raw, EmailOptions options) => Read(raw, options, senderWhenMissing: null);

    /// <summary>Parses and classifies one raw message; <paramref name="senderWhenMissing"/> stands in when it names no sender.</summary>
    /// <exception cref="UnreadableEmailException">The bytes are not a usable email.</exception>
    internal static EmailReadResult Read(byte[] raw, EmailOptions options, MailboxAddress? senderWhenMissing)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(options);
        MimeMessage message;
        try
        {
            try
            {
                MimeStructureGuard.Check(raw, options.MaxMimeParts, options.MaxMimeDepth);
            }
            catch (FormatException) when (FirstLineIsNotAHeader(raw) is { } afterJunk)
            {
                // A junk first line the structure check trips on: what follows it must pass the same check.
                MimeStructureGuard.Check(raw[afterJunk..], options.MaxMimeParts, options.MaxMimeDepth);
            }

            message = ParseSkippingJunk(raw, options);
        }
        catch (FormatException ex)
        {
            throw new UnreadableEmailException("The message is not valid MIME: " + ex.Message, ex);
        }

        return Read(message, raw, options, senderWhenMissing);
    }

    /// <summary>
    /// Parses the message; a junk line before the headers (an mbox "From " line, a relay's banner, a quoted ">From")
    /// hides them all or makes the parse fail, so before giving up it is tried once more without that line.
    /// </summary>
    private static MimeMessage ParseSkippingJunk(byte[] raw, EmailOptions options)
    {
        MimeMessage? message = null;
        FormatException? failure = null;
        try
        {
            message = Parse(raw, options);
            if (message.From.Count > 0 || message.Sender is not null)
            {
                return message;
            }
        }
        catch (FormatException ex)
        {
            failure = ex;
        }

        if (FirstLineIsNotAHeader(raw) is { } afterJunk)
        {
            try
            {
                var retried = Parse(raw[afterJunk..], options);
                if (retried.From.Count > 0 || message is null)
                {
                    return retried;
                }
            }
            catch (FormatException) when (message is not null)
            {
                // The first reading stands: it parsed, it only named no sender.
            }
        }

        return message ?? throw failure!;
    }

    private static MimeMessage Parse(byte[] raw, EmailOptions options)
    {
        using var stream = new MemoryStream(raw, writable: false);
        var parser = new ParserOptions { MaxMimeDepth = options.MaxMimeDepth };
        // Headers written as raw bytes in a legacy charset (no encoded words) read as Latin-1 garbage unless the
        // parser knows which charset to fall back to after UTF-8.
        if (LegacyCharsetGuess.Of(HeaderSection(raw)) is { } headerCharset)
        {
            parser.CharsetEncoding = System.Text.Encoding.GetEncoding(headerCharset);
        }

        var message = MimeMessage.Load(parser, stream);
        RelabelLegacyText(message);
        return message;
    }

    /// <summary>The bytes before the first empty line (at most 64 KiB): the message's own header fields.</summary>
    private static ReadOnlySpan<byte> HeaderSection(byte[] raw)
    {
        var head = raw.AsSpan(0, Math.Min(raw.Length, 64 * 1024));
        var end = head.IndexOf("\n\r\n"u8) is >= 0 and var crlf ? crlf : head.IndexOf("\n\n"u8);
        return end >= 0 ? head[..end] : head;
    }

    /// <summary>
    /// A text part that declares no charset, or a Latin one, yet holds GBK or Shift_JIS bytes (clients that never
    /// labelled their mail, relays that relabelled it) is read in the charset its bytes are in.
    /// </summary>
    private static void RelabelLegacyText(MimeMessage message)
    {
        foreach (var part in message.BodyParts.OfType<TextPart>())
        {
            if (part.Content is null || part.ContentType.Charset?.ToLowerInvariant() is not (null or "us-ascii" or "iso-8859-1" or "latin1" or "windows-1252"))
            {
                continue;
            }

            using var decoded = new MemoryStream();
            part.Content.DecodeTo(decoded);
            if (LegacyCharsetGuess.Of(decoded.GetBuffer().AsSpan(0, (int)decoded.Length)) is { } charset)
            {
                part.ContentType.Charset = charset;
            }
        }
    }

    /// <summary>Where the second line starts, when the first is not a header field (<c>Name: value</c>); else null.</summary>
    private static int? FirstLineIsNotAHeader(byte[] raw)
    {
        var end = Array.IndexOf(raw, (byte)'\n');
        if (end <= 0 || end > 1000)
        {
            return null;
        }

        var colon = Array.IndexOf(raw, (byte)':', 0, end);
        var space = Array.IndexOf(raw, (byte)' ', 0, end);
        return colon > 0 && (space < 0 || colon < space) ? null : end + 1;
    }

    /// <summary>Classifies a parsed message; <paramref name="raw"/> keys the synthetic Message-ID of mail that has none.</summary>
    public static EmailReadResult Read(MimeMessage message, byte[] raw, EmailOptions options) => Read(message, raw, options, senderWhenMissing: null);

    private static EmailReadResult Read(MimeMessage message, byte[] raw, EmailOptions options, MailboxAddress? senderWhenMissing)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(options);
        RestoreUuencodeBeginLines(message);

        if (BounceReason(message) is { } bounce)
        {
            var report = new DeliveryReport(FailedRecipients(message), QuotedMessageIds(message), ReportRecipients(message), bounce);
            var reportParts = AttachmentsOf(message, options.MaxAttachments);
            InboundMessage? asTicket = null;
            try
            {
                asTicket = ToInbound(message, raw, options, reportParts.Infos, senderWhenMissing);
            }
            catch (UnreadableEmailException)
            {
                // A report without a usable sender can still be matched; it just cannot be shown as a ticket.
            }

            return new EmailReadResult(EmailKind.Bounce, asTicket, report, bounce) { AttachmentParts = asTicket is null ? [] : reportParts.Parts };
        }

        if (AutoReplyReason(message) is { } autoReply)
        {
            return new EmailReadResult(EmailKind.AutoReply, null, null, autoReply);
        }

        // Our own mail coming back in (a notification forwarded to the support box, a loop between two systems) must
        // not become a ticket that our replies then answer again.
        if (message.From.Mailboxes.FirstOrDefault() is { } sender && options.OwnAddresses.Contains(sender.Address, StringComparer.OrdinalIgnoreCase))
        {
            return new EmailReadResult(EmailKind.AutoReply, null, null, "sent from one of our own addresses");
        }

        var attachments = AttachmentsOf(message, options.MaxAttachments);
        var inbound = ToInbound(message, raw, options, attachments.Infos, senderWhenMissing);
        var parts = attachments.Parts;
        if (UuencodedFiles(inbound.Text, options.MaxAttachments - inbound.Attachments.Count) is { Files.Count: > 0 } uuencoded)
        {
            inbound = inbound with { Text = uuencoded.Text, Attachments = [.. inbound.Attachments, .. uuencoded.Files.Select(Describe)] };
            parts = [.. parts, .. uuencoded.Files];
        }

        if (VisibleText.IsBlank(inbound.Text) && string.IsNullOrWhiteSpace(inbound.Html) && inbound.Attachments.Count == 0)
        {
            // Nothing to show (a blank body, a body the reader could not decode): the message itself is kept, so nothing is lost.
            inbound = inbound with { Attachments = [new AttachmentInfo("message.eml", "message/rfc822", raw.Length)] };
            parts = [new MessagePart { Message = message }];
        }

        return new EmailReadResult(EmailKind.Message, inbound, null, "message") { AttachmentParts = parts };
    }

    private static InboundMessage ToInbound(MimeMessage message, byte[] raw, EmailOptions options, IReadOnlyList<AttachmentInfo> attachments, MailboxAddress? senderWhenMissing)
    {
        var from = Customer(message) ?? BestEffortSender(message) ?? senderWhenMissing;
        if (from is null)
        {
            throw new UnreadableEmailException("The message names no sender address.");
        }

        // An address a person can read but that is no contact identity (no dot in the domain): the mail is kept, by name.
        var address = Crm.Contacts.ContactIdentity.NormalizeEmail(from.Address) is null ? null : from.Address;

        // Apple Mail and others split one body into several HTML parts around an inline image (the signature comes
        // last): all of them are the body, in order, not just the first.
        var htmlParts = BodyHtmlParts(message);
        var html = htmlParts.Count > 1 ? string.Concat(htmlParts.Select(p => p.Text)) : message.HtmlBody;
        var sanitized = html is null ? null : HtmlEmailSanitizer.Sanitize(html);
        if (sanitized is { } h && h.Length > options.MaxHtmlLength)
        {
            sanitized = null;
        }

        var text = message.TextBody ?? (html is null ? "" : HtmlEmailSanitizer.ToText(html));
        if (message.BodyParts.Any(p => p.ContentType.MediaType == "image" && !p.IsAttachment))
        {
            // Gmail's text part stands "[image: photo.png]" where an inline image was; the image itself is kept.
            text = ImagePlaceholder().Replace(text, "").Trim();
        }

        var subject = message.Subject;
        var inbound = new InboundMessage
        {
            Channel = ChannelName,
            ExternalMessageId = string.IsNullOrWhiteSpace(message.MessageId) ? SyntheticMessageId(raw) : message.MessageId,
            // A nameless sender is shown by the address's local part, not as "null".
            Sender = new SenderIdentity(Email: address, Name: ClipName(string.IsNullOrWhiteSpace(from.Name) ? (address is null ? from.Address : from.LocalPart) : from.Name)),
            // An email without a subject stays without one (the UI says "(no subject)"), instead of taking its first line.
            Subject = subject ?? "",
            Text = text,
            Html = sanitized,
            Attachments = attachments,
            Thread = new ThreadHints
            {
                ReplyTo = [.. message.References.Reverse(), .. InReplyToIds(message)],
                TicketNumber = TicketTag(subject),
            },
            Cc = CopiedIn(message, address, options),
            Inbox = InboxOf(message, options),
        };
        return inbound;
    }

    /// <summary>
    /// The inbox of the first of our addresses the mail was delivered to: the envelope's (<c>Delivered-To</c> and its
    /// kin, written by the receiving server) before the headers the sender wrote (<c>To</c>, then <c>Cc</c>).
    /// </summary>
    private static string? InboxOf(MimeMessage message, EmailOptions options)
    {
        if (options.InboxAddresses.Count == 0)
        {
            return null;
        }

        foreach (var address in EnvelopeRecipients(message).Concat(message.To.Mailboxes.Select(m => m.Address)).Concat(message.Cc.Mailboxes.Select(m => m.Address)))
        {
            if (options.InboxAddresses.TryGetValue(address, out var inbox))
            {
                return inbox;
            }
        }

        return null;
    }

    /// <summary>The most addresses kept from one mail's Cc: a mass mailing's hundreds are not a conversation's.</summary>
    internal const int MaxCc = 50;

    /// <summary>
    /// The valid addresses of <c>Cc</c>, normalised, without the sender and without ours (a reply must never copy the
    /// support mailbox itself in, or its answer loops back).
    /// </summary>
    private static IReadOnlyList<string> CopiedIn(MimeMessage message, string? sender, EmailOptions options)
    {
        var self = sender is null ? null : ContactIdentity.NormalizeEmail(sender);
        return message.Cc.Mailboxes
            .Select(m => ContactIdentity.NormalizeEmail(m.Address))
            .OfType<string>()
            .Where(a => a != self && !options.OwnAddresses.Contains(a, StringComparer.OrdinalIgnoreCase))
            .Distinct(StringComparer.Ordinal)
            .Take(MaxCc)
            .ToList();
    }

    /// <summary>
    /// Every id <c>In-Reply-To</c> names: a client answering several messages at once lists them all, and the mail
    /// threads on any of them (MimeKit's <see cref="MimeMessage.InReplyTo"/> keeps only the first).
    /// </summary>
    private static IEnumerable<string> InReplyToIds(MimeMessage message)
        => message.Headers[HeaderId.InReplyTo] is { } value ? MimeKit.Utils.MimeUtils.EnumerateReferences(value) : [];

    /// <summary>Names longer than a contact's name may be are cut, not a reason to refuse the mail.</summary>
    private static string ClipName(string name) => name.Length > MaxSenderNameLength ? name[..MaxSenderNameLength] : name;

    private const int MaxSenderNameLength = 256;

    /// <summary>The sender and subject of a message as far as they can be read, for showing mail that could not be taken.</summary>
    internal static (string? Sender, string? Subject) Peek(byte[] raw)
    {
        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            var message = MimeMessage.Load(stream);
            var sender = message.From.Mailboxes.FirstOrDefault()?.ToString() ?? message.Headers[HeaderId.From];
            return (string.IsNullOrWhiteSpace(sender) ? null : sender.Trim(), message.Subject);
        }
        catch (FormatException)
        {
            return (null, null);
        }
    }

    /// <summary>A stable id for mail without a Message-ID: the same bytes always get the same id, so re-polling cannot duplicate it.</summary>
    public static string SyntheticMessageId(byte[] raw) => $"sha256-{Convert.ToHexStringLower(SHA256.HashData(raw))[..40]}@crm.synthetic";

    /// <summary>The ticket number in a subject tag such as <c>[#123]</c>, or null.</summary>
    public static long? TicketTag(string? subject)
    {
        var match = subject is null ? Match.Empty : TicketTagPattern().Match(subject);
        return match.Success && long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;
    }

    /// <summary>
    /// The sender of a <c>From</c> that MimeKit could not parse but a person can read: spaces inside the angle brackets,
    /// no angle brackets, a stray quote or bracket in the local part. The address-like token is taken, the rest is the name.
    /// </summary>
    private static MailboxAddress? BestEffortSender(MimeMessage message)
    {
        var header = message.Headers[HeaderId.From] ?? message.Headers[HeaderId.Sender] ?? message.Headers[HeaderId.ReplyTo];
        if (string.IsNullOrWhiteSpace(header) || header.Length > 1000)
        {
            return null;
        }

        var tidy = AngleBrackets().Replace(header, m => m.Value.Replace(" ", "", StringComparison.Ordinal));
        var match = AddressLike().Match(tidy);
        if (!match.Success)
        {
            return null;
        }

        var address = match.Value.Trim('<', '>', '"', '\'', '>', ',');
        var name = tidy[..match.Index].Trim().Trim('"', '\'', '<', ' ');
        try
        {
            return new MailboxAddress(name.Length == 0 ? null : name, address);
        }
        catch (ParseException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"[^\s<>""',;]+@[^\s<>""',;]+")]
    private static partial Regex AddressLike();

    /// <summary>
    /// Who the customer is: the real sender a mailing list or group names (<c>X-Original-Sender</c>,
    /// <c>X-Original-From</c>) when it rewrote <c>From</c>; else <c>Reply-To</c>, where answers must go; else <c>From</c>
    /// (or <c>Sender</c>). Only addresses with a local part and a domain count.
    /// </summary>
    private static MailboxAddress? Customer(MimeMessage message)
    {
        foreach (var header in (string[])["X-Original-Sender", "X-Original-From"])
        {
            if (message.Headers[header] is { } value && MailboxAddress.TryParse(value.Trim(), out var original) && IsUsable(original))
            {
                // Groups name the person only in their From: "'Ann Smith' via Support" <support@groups.example>.
                return string.IsNullOrWhiteSpace(original.Name) && message.From.Mailboxes.FirstOrDefault()?.Name is { Length: > 0 } groupFrom
                    ? new MailboxAddress(GroupSenderName().Match(groupFrom) is { Success: true } via ? via.Groups["name"].Value : groupFrom, original.Address)
                    : original;
            }
        }

        return message.ReplyTo.Mailboxes.FirstOrDefault(IsUsable)
            ?? message.From.Mailboxes.FirstOrDefault(IsUsable)
            ?? (message.Sender is { } sender && IsUsable(sender) ? sender : null);

        static bool IsUsable(MailboxAddress address) =>
            !string.IsNullOrWhiteSpace(address.Address) && address.Address.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < address.Address.Length - 1;
    }

    [GeneratedRegex(@"^'?(?<name>.+?)'? via .+$")]
    private static partial Regex GroupSenderName();

    [GeneratedRegex(@"\[#(\d{1,18})\]")]
    private static partial Regex TicketTagPattern();

    /// <summary>Counts bytes written and keeps none: attachment sizes without holding attachments.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => _length += count;
    }
}
