using System.Text;
using MimeKit;

namespace Crm.EndToEnd.Tests;

/// <summary>What an agent must see of one corpus mail through the API.</summary>
/// <param name="Contact">The contact's email address, or null when the sender has no usable address.</param>
/// <param name="Text">Text the message must contain.</param>
/// <param name="Files">Each kept attachment by name, with its bytes (null: any bytes).</param>
/// <param name="NotInText">Text the message must not contain.</param>
public sealed record CorpusExpectation(string? Contact, string Text, IReadOnlyDictionary<string, byte[]?> Files, string? NotInText = null);

/// <summary>
/// Real-world shapes of mail (Gmail, Outlook, Apple Mail, Thunderbird, lists, old clients, odd charsets and senders),
/// built here by hand and with MimeKit, each with a unique key in its subject; the same corpus runs through the
/// webhook and through the IMAP poller.
/// </summary>
public static class MailCorpus
{
    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
    public static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");

    static MailCorpus() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static IEnumerable<string> Names => Cases.Keys;

    public static (byte[] Raw, CorpusExpectation Expect) Build(string name, string key) => Cases[name](key);

    private static readonly Dictionary<string, Func<string, (byte[], CorpusExpectation)>> Cases = new()
    {
        ["gmail-inline-image"] = key =>
        {
            var builder = new BodyBuilder { TextBody = "See the scratch:\n[image: scratch.png]\nThanks" };
            var image = builder.LinkedResources.Add("scratch.png", Png, new ContentType("image", "png"));
            image.ContentId = $"ii_{key}@gmail";
            builder.HtmlBody = $"<div>See the scratch:<br><img src=\"cid:ii_{key}@gmail\" alt=\"scratch.png\"><br>Thanks</div>";
            return (Write(From("Gina", "gina@gmail.example"), $"Scratch {key}", builder.ToMessageBody()),
                new("gina@gmail.example", "See the scratch", Files(("scratch.png", Png)), NotInText: "[image:"));
        },
        ["outlook-inline-pdf-and-nameless-part"] = key =>
        {
            var pdf = new MimePart("application", "pdf") { Content = new MimeContent(new MemoryStream(Pdf)), ContentDisposition = new ContentDisposition(ContentDisposition.Inline), ContentTransferEncoding = ContentEncoding.Base64 };
            var nameless = new MimePart("application", "octet-stream") { Content = new MimeContent(new MemoryStream([1, 2, 3])), ContentTransferEncoding = ContentEncoding.Base64 };
            var body = new Multipart("mixed") { new TextPart("plain") { Text = "Invoice inline, as Outlook does." }, pdf, nameless };
            return (Write(From("Olaf", "olaf@outlook.example"), $"Invoice {key}", body),
                new("olaf@outlook.example", "Invoice inline", Files(("attachment-1.pdf", Pdf), ("attachment-2.bin", [1, 2, 3]))));
        },
        ["apple-mail-split-html"] = key =>
        {
            var mixed = new Multipart("mixed")
            {
                new TextPart("html") { Text = "<p>Here is the damage:</p>" },
                new MimePart("image", "png") { Content = new MimeContent(new MemoryStream(Png)), ContentDisposition = new ContentDisposition(ContentDisposition.Inline) { FileName = "damage.png" }, ContentTransferEncoding = ContentEncoding.Base64 },
                new TextPart("html") { Text = "<p>Kind regards,<br>Lena</p>" },
            };
            var body = new MultipartAlternative { new TextPart("plain") { Text = "Here is the damage:\n\nKind regards,\nLena" }, mixed };
            return (Write(From("Lena", "lena@icloud.example"), $"Damage {key}", body), new("lena@icloud.example", "Kind regards", Files(("damage.png", Png))));
        },
        ["thunderbird-forwarded-message"] = key =>
        {
            var inner = new MimeMessage { Subject = "Original order", MessageId = $"inner.{key}@shop.example" };
            inner.From.Add(MailboxAddress.Parse("orders@shop.example"));
            inner.Body = new TextPart("plain") { Text = "Order 77 confirmed" };
            var body = new Multipart("mixed") { new TextPart("plain") { Text = "Forwarding the confirmation." }, new MessagePart { Message = inner } };
            return (Write(From("Theo", "theo@thunder.example"), $"Fwd: order {key}", body), new("theo@thunder.example", "Forwarding the confirmation", Files(("Original order", null))));
        },
        ["google-group-rewrite"] = key => (Raw(
            $"From: 'Ann Example' via Support <support-group@groups.example>\r\nX-Original-Sender: ann.{key}@customer.example\r\nTo: support@shop.example\r\nSubject: Group {key}\r\nMessage-ID: <group.{key}@groups.example>\r\n\r\nPlease help.\r\n"),
            new($"ann.{key}@customer.example", "Please help.", Files())),
        ["reply-to-differs"] = key => (Raw(
            $"From: Notifier <noreply@forms.example>\r\nReply-To: Rita <rita.{key}@customer.example>\r\nTo: support@shop.example\r\nSubject: Form {key}\r\nMessage-ID: <form.{key}@forms.example>\r\n\r\nContact form message.\r\n"),
            new($"rita.{key}@customer.example", "Contact form message.", Files())),
        ["arabic-iso-8859-6"] = key => (Bytes(Encoding.GetEncoding("iso-8859-6"),
            $"From: =?iso-8859-6?B?{Convert.ToBase64String(Encoding.GetEncoding("iso-8859-6").GetBytes("أحمد"))}?= <ahmad@example.sa>\r\nTo: support@shop.example\r\nSubject: =?iso-8859-6?B?{Convert.ToBase64String(Encoding.GetEncoding("iso-8859-6").GetBytes("طلبي"))}?= {key}\r\nMessage-ID: <ar.{key}@example.sa>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-6\r\nContent-Transfer-Encoding: 8bit\r\n\r\n", "أين طلبي؟"),
            new("ahmad@example.sa", "أين طلبي؟", Files())),
        ["latin1-encoded-words"] = key => (Bytes(Encoding.Latin1,
            $"From: =?iso-8859-1?Q?J=FCrgen_M=FCller?= <juergen@example.de>\r\nTo: support@shop.example\r\nSubject: =?iso-8859-1?Q?R=FCckfrage?= {key}\r\nMessage-ID: <de.{key}@example.de>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n", "Grüße aus Köln"),
            new("juergen@example.de", "Grüße aus Köln", Files())),
        ["gb2312-base64"] = key => (Bytes(Encoding.ASCII,
            $"From: =?GB2312?B?{Convert.ToBase64String(Encoding.GetEncoding("gb2312").GetBytes("王伟"))}?= <wang@example.cn>\r\nTo: support@shop.example\r\nSubject: =?GB2312?B?{Convert.ToBase64String(Encoding.GetEncoding("gb2312").GetBytes("订单问题"))}?= {key}\r\nMessage-ID: <cn.{key}@example.cn>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=GB2312\r\nContent-Transfer-Encoding: base64\r\n\r\n{Convert.ToBase64String(Encoding.GetEncoding("gb2312").GetBytes("您好，我的订单还没有到"))}\r\n", ""),
            new("wang@example.cn", "我的订单还没有到", Files())),
        ["iso-2022-jp"] = key => (Bytes(Encoding.ASCII,
            $"From: =?ISO-2022-JP?B?{Convert.ToBase64String(Encoding.GetEncoding("iso-2022-jp").GetBytes("山田"))}?= <yamada@example.jp>\r\nTo: support@shop.example\r\nSubject: =?ISO-2022-JP?B?{Convert.ToBase64String(Encoding.GetEncoding("iso-2022-jp").GetBytes("注文"))}?= {key}\r\nMessage-ID: <jp.{key}@example.jp>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n", "").Concat(Encoding.GetEncoding("iso-2022-jp").GetBytes("注文がまだ届いていません\r\n")).ToArray(),
            new("yamada@example.jp", "注文がまだ届いていません", Files())),
        ["shift-jis-raw-8bit-headers"] = key => (
            [.. Encoding.ASCII.GetBytes($"From: "), .. Encoding.GetEncoding("shift_jis").GetBytes("太郎"), .. Encoding.ASCII.GetBytes($" <taro@example.jp>\r\nTo: support@shop.example\r\nSubject: "),
             .. Encoding.GetEncoding("shift_jis").GetBytes("見積もり"), .. Encoding.ASCII.GetBytes($" {key}\r\nMessage-ID: <sjis.{key}@example.jp>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=shift_jis\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"),
             .. Encoding.GetEncoding("shift_jis").GetBytes("見積もりをお願いします\r\n")],
            new("taro@example.jp", "見積もりをお願いします", Files())),
        ["pgp-mime"] = key => (Raw(
            $"From: secret@crypto.example\r\nTo: support@shop.example\r\nSubject: Encrypted {key}\r\nMessage-ID: <pgp.{key}@crypto.example>\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"b\"\r\n\r\n" +
            "--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--b\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\n\r\n-----BEGIN PGP MESSAGE-----\r\nhQEMA\r\n-----END PGP MESSAGE-----\r\n--b--\r\n"),
            // Both parts of the encrypted body are kept: the version part (no name) and the ciphertext.
            new("secret@crypto.example", "", Files(("attachment-1.bin", "Version: 1"u8.ToArray()), ("encrypted.asc", null)))),
        ["uuencoded-file"] = key => (Raw(
            $"From: old@client.example\r\nTo: support@shop.example\r\nSubject: UU {key}\r\nMessage-ID: <uu.{key}@client.example>\r\n\r\nSee the file.\r\n\r\nbegin 644 hello.txt\r\n12&5L;&\\L('5U96YC;V1E(0H`\r\n`\r\nend\r\n"),
            new("old@client.example", "See the file.", Files(("hello.txt", "Hello, uuencode!\n"u8.ToArray())), NotInText: "begin 644")),
        ["spaces-inside-angle-brackets"] = key => (Raw(
            $"From: Space Case <space.case @ spaces.example>\r\nTo: support@shop.example\r\nSubject: Spaces {key}\r\nMessage-ID: <sp.{key}@spaces.example>\r\n\r\nMy client adds spaces.\r\n"),
            new("space.case@spaces.example", "My client adds spaces.", Files())),
        ["no-angle-brackets-with-name"] = key => (Raw(
            $"From: Bare Address bare@plain.example\r\nTo: support@shop.example\r\nSubject: Bare {key}\r\nMessage-ID: <bare.{key}@plain.example>\r\n\r\nNo brackets here.\r\n"),
            new("bare@plain.example", "No brackets here.", Files())),
        ["whitespace-only-body"] = key => (Raw(
            $"From: blank@quiet.example\r\nTo: support@shop.example\r\nSubject: Blank {key}\r\nMessage-ID: <blank.{key}@quiet.example>\r\n\r\n   \r\n\t\r\n"),
            new("blank@quiet.example", "", Files(("message.eml", null)))),
        ["gmail-style-bounce-not-ours"] = key => (Raw(
            $"From: Mail Delivery Subsystem <mailer-daemon@googlemail.example>\r\nTo: support@shop.example\r\nX-Failed-Recipients: gone.{key}@nowhere.example\r\nSubject: Delivery Status Notification (Failure) {key}\r\nMessage-ID: <dsn.{key}@googlemail.example>\r\n\r\nAddress not found: gone.{key}@nowhere.example\r\n"),
            new("mailer-daemon@googlemail.example", "Address not found", Files())),
        ["rfc3464-bounce-not-ours"] = key => (Encoding.ASCII.GetBytes(Crm.Testing.TestMails.BounceReport($"lost.{key}@nowhere.example", to: "support@shop.example", subject: $"Undelivered Mail Returned to Sender {key}")),
            // The machine-readable report stays with the ticket beside its text.
            new("mailer-daemon@mx.example", "could not be delivered", Files(("delivery-status.txt", null)))),
    };

    private static MimeMessage From(string name, string address)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(name, address));
        message.To.Add(MailboxAddress.Parse("support@shop.example"));
        return message;
    }

    private static byte[] Write(MimeMessage message, string subject, MimeEntity body)
    {
        message.Subject = subject;
        message.MessageId = $"{Guid.NewGuid():N}@corpus.example";
        message.Body = body;
        using var buffer = new MemoryStream();
        message.WriteTo(buffer);
        return buffer.ToArray();
    }

    private static byte[] Raw(string mail) => Encoding.UTF8.GetBytes(mail);

    private static byte[] Bytes(Encoding bodyEncoding, string headers, string body) => [.. Encoding.ASCII.GetBytes(headers), .. bodyEncoding.GetBytes(body)];

    private static Dictionary<string, byte[]?> Files(params (string Name, byte[]? Bytes)[] files) => files.ToDictionary(f => f.Name, f => f.Bytes);
}
