using System.Text;
using Crm.Channels.Email;
using MimeKit;

namespace Crm.Channels.Tests;

/// <summary>Real-world mail read the way a person would: charsets, who the customer is, nothing dropped for being odd.</summary>
public sealed class EmailFidelityTests
{
    private static readonly EmailOptions Options = new() { OwnAddresses = { "support@shop.example" } };

    static EmailFidelityTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    [Theory]
    [InlineData("gb2312", "您好，我的订单还没有到", "订单问题")]
    [InlineData("gbk", "请帮我查一下发票", "发票")]
    [InlineData("iso-2022-jp", "注文がまだ届いていません", "注文について")]
    [InlineData("shift_jis", "請求書を送ってください", "請求書")]
    [InlineData("big5", "請問何時出貨", "出貨")]
    [InlineData("koi8-r", "Где мой заказ?", "Заказ")]
    [InlineData("windows-1256", "أين طلبي؟", "طلب")]
    public void Bodies_and_subjects_in_legacy_charsets_decode(string charset, string body, string subject)
    {
        var encoding = Encoding.GetEncoding(charset);
        var mail = new MimeMessage { Subject = subject, MessageId = "x@example.com" };
        mail.From.Add(new MailboxAddress(subject, "customer@example.com"));
        mail.To.Add(MailboxAddress.Parse("support@shop.example"));
        var text = new TextPart("plain");
        text.SetText(encoding, body);
        text.ContentTransferEncoding = ContentEncoding.Base64;
        mail.Body = text;
        var format = FormatOptions.Default.Clone();
        format.International = false;
        using var buffer = new MemoryStream();
        mail.Headers.Replace(HeaderId.Subject, encoding, subject);
        mail.WriteTo(format, buffer);

        var read = EmailReader.Read(buffer.ToArray(), Options);

        Assert.Equal(body, read.Message!.Text.Trim());
        Assert.Equal(subject, read.Message.Subject);
        Assert.Equal(subject, read.Message.Sender.Name);
    }

    [Fact]
    public void A_raw_8bit_shift_jis_subject_and_body_without_encoded_words_decode_by_the_declared_charset()
    {
        var sjis = Encoding.GetEncoding("shift_jis");
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.ASCII.GetBytes("From: taro@example.jp\r\nTo: support@shop.example\r\nMessage-ID: <sjis@example.jp>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=shift_jis\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"));
        bytes.AddRange(sjis.GetBytes("見積もりをお願いします"));
        bytes.AddRange("\r\n"u8.ToArray());

        var read = EmailReader.Read([.. bytes], Options);

        Assert.Equal("見積もりをお願いします", read.Message!.Text.Trim());
    }

    [Fact]
    public void The_customer_is_reply_to_when_given_and_the_original_sender_of_a_group()
    {
        var replyTo = EmailReader.Read(Mail("From: Newsletter Robot <robot@vendor.example>\r\nReply-To: Real Person <real@customer.example>\r\n"), Options);
        var group = EmailReader.Read(Mail("From: 'Ann' via Support Group <group@lists.example>\r\nX-Original-Sender: ann@customer.example\r\nReply-To: group@lists.example\r\n"), Options);
        var broken = EmailReader.Read(Mail("From: Bob <bob@customer.example>\r\nReply-To: not an address\r\n"), Options);

        Assert.Equal("real@customer.example", replyTo.Message!.Sender.Email);
        Assert.Equal("Real Person", replyTo.Message.Sender.Name);
        Assert.Equal("ann@customer.example", group.Message!.Sender.Email);
        Assert.Equal("bob@customer.example", broken.Message!.Sender.Email);
    }

    [Fact]
    public void A_nameless_sender_is_named_by_the_local_part_and_a_missing_subject_stays_empty()
    {
        var read = EmailReader.Read(Encoding.ASCII.GetBytes("From: quiet.customer@example.com\r\nTo: support@shop.example\r\nMessage-ID: <q@example.com>\r\n\r\nHello\r\n"), Options);

        Assert.Equal("quiet.customer", read.Message!.Sender.Name);
        Assert.Equal("", read.Message.Subject);
    }

    [Fact]
    public void Mail_from_our_own_address_is_never_a_ticket()
    {
        var read = EmailReader.Read(Encoding.ASCII.GetBytes("From: Support <SUPPORT@shop.example>\r\nTo: support@shop.example\r\nSubject: Re: your ticket\r\nMessage-ID: <loop@shop.example>\r\n\r\nWe answered\r\n"), Options);

        Assert.Equal(EmailKind.AutoReply, read.Kind);
        Assert.Null(read.Message);
    }

    [Fact]
    public void Inline_images_and_nameless_parts_are_attachments_and_a_mail_of_only_images_has_them_all()
    {
        var related = new Multipart("related");
        foreach (var i in new[] { 1, 2 })
        {
            related.Add(new MimePart("image", "jpeg") { Content = new MimeContent(new MemoryStream(new byte[100 * i])), ContentId = $"img{i}@phone", ContentDisposition = new ContentDisposition(ContentDisposition.Inline) });
        }

        var mail = new MimeMessage { MessageId = "imgs@phone", Body = related };
        mail.From.Add(MailboxAddress.Parse("photos@customer.example"));
        using var buffer = new MemoryStream();
        mail.WriteTo(buffer);

        var read = EmailReader.Read(buffer.ToArray(), Options);

        Assert.Equal(["attachment-1.jpg", "attachment-2.jpg"], read.Message!.Attachments.Select(a => a.FileName));
        Assert.All(read.Message.Attachments, a => Assert.True(a.Inline));
        Assert.Equal(["img1@phone", "img2@phone"], read.Message.Attachments.Select(a => a.ContentId));
        Assert.Equal(2, read.AttachmentParts.Count);
    }

    [Theory]
    [InlineData("From: John Smith <john @customer.example>", "john@customer.example", "John Smith")]
    [InlineData("From: John Smith john@customer.example", "john@customer.example", "John Smith")]
    [InlineData("From: \"jane>\"@customer.example", "jane@customer.example", null)]
    public void Sender_addresses_a_person_can_read_are_read(string fromLine, string email, string? name)
    {
        var read = EmailReader.Read(Encoding.ASCII.GetBytes($"{fromLine}\r\nTo: support@shop.example\r\nSubject: Odd\r\nMessage-ID: <{Guid.NewGuid():N}@x.example>\r\n\r\nHello\r\n"), Options);

        Assert.Equal(email, read.Message!.Sender.Email?.Replace(">", "", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal));
        if (name is not null)
        {
            Assert.Equal(name, read.Message.Sender.Name);
        }
    }

    [Fact]
    public void A_sender_domain_without_a_dot_keeps_the_mail_by_name_without_a_contact()
    {
        var read = EmailReader.Read(Encoding.ASCII.GetBytes("From: ops@intranet\r\nTo: support@shop.example\r\nSubject: Local\r\nMessage-ID: <l@intranet>\r\n\r\nHello\r\n"), Options);

        Assert.Null(read.Message!.Sender.Email);
        Assert.Equal("ops@intranet", read.Message.Sender.Name);
        Assert.Equal("Hello", read.Message.Text.Trim());
    }

    [Fact]
    public void A_junk_line_before_the_headers_is_skipped()
    {
        var read = EmailReader.Read(Encoding.ASCII.GetBytes("From customer@example.com Mon Nov 23 10:00:00 2026\r\nFrom: customer@example.com\r\nTo: support@shop.example\r\nSubject: After junk\r\nMessage-ID: <j@example.com>\r\n\r\nHello\r\n"), Options);

        Assert.Equal("customer@example.com", read.Message!.Sender.Email);
        Assert.Equal("After junk", read.Message.Subject);
    }

    [Theory]
    [InlineData("   \r\n\t\r\n")]
    [InlineData("")]
    public void A_blank_body_keeps_the_message_itself_as_an_attachment(string body)
    {
        var read = EmailReader.Read(Encoding.ASCII.GetBytes($"From: blank@example.com\r\nTo: support@shop.example\r\nSubject: Empty\r\nMessage-ID: <{Guid.NewGuid():N}@example.com>\r\n\r\n{body}"), Options);

        var kept = Assert.Single(read.Message!.Attachments);
        Assert.Equal("message.eml", kept.FileName);
        Assert.Equal("message/rfc822", kept.ContentType);
        Assert.Single(read.AttachmentParts);
    }

    [Fact]
    public void Pgp_mime_is_a_message_whose_encrypted_parts_are_attachments()
    {
        var read = EmailReader.Read(Encoding.ASCII.GetBytes(
            "From: secret@example.com\r\nTo: support@shop.example\r\nSubject: Encrypted\r\nMessage-ID: <pgp@example.com>\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"b\"\r\n\r\n" +
            "--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--b\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\n\r\n-----BEGIN PGP MESSAGE-----\r\nhQEMA\r\n-----END PGP MESSAGE-----\r\n--b--\r\n"), Options);

        Assert.Equal(EmailKind.Message, read.Kind);
        Assert.Contains(read.Message!.Attachments, a => a.FileName == "encrypted.asc");
    }

    [Fact]
    public void A_body_split_around_an_inline_image_keeps_every_html_part_and_gmail_placeholders_go()
    {
        var mixed = new Multipart("mixed")
        {
            new TextPart("html") { Text = "<p>Here is the damage:</p>" },
            new MimePart("image", "jpeg") { Content = new MimeContent(new MemoryStream(new byte[64])), ContentDisposition = new ContentDisposition(ContentDisposition.Inline) { FileName = "damage.jpg" } },
            new TextPart("html") { Text = "<p>Kind regards,<br>Lena</p>" },
        };
        var alternative = new MultipartAlternative { new TextPart("plain") { Text = "Here is the damage:\n[image: damage.jpg]\nKind regards,\nLena" }, mixed };
        var mail = new MimeMessage { MessageId = "split@mac.example", Subject = "Damage", Body = alternative };
        mail.From.Add(MailboxAddress.Parse("lena@customer.example"));
        using var buffer = new MemoryStream();
        mail.WriteTo(buffer);

        var read = EmailReader.Read(buffer.ToArray(), Options);

        Assert.Contains("Here is the damage", read.Message!.Html, StringComparison.Ordinal);
        Assert.Contains("Kind regards", read.Message.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("[image:", read.Message.Text, StringComparison.Ordinal);
        Assert.Equal(["damage.jpg"], read.Message.Attachments.Select(a => a.FileName));
    }

    [Fact]
    public void Uuencoded_files_in_the_body_and_x_uuencode_parts_are_decoded_attachments()
    {
        var note = Encoding.ASCII.GetBytes("Invoice 4711\nTotal: 99.00 EUR\nThank you for your order, it ships on Monday.\n");
        var picture = Enumerable.Range(0, 300).Select(i => (byte)(i * 7)).ToArray();
        var read = EmailReader.Read(Encoding.ASCII.GetBytes(
            "From: old@example.com\r\nTo: support@shop.example\r\nSubject: Old client\r\nMessage-ID: <uu@example.com>\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" +
            "--b\r\nContent-Type: text/plain\r\n\r\nThe invoice is below.\r\n\r\n" + Uuencode("invoice.txt", note) + "\r\nBye\r\n" +
            "--b\r\nContent-Type: image/png; name=\"dots.png\"\r\nContent-Transfer-Encoding: x-uuencode\r\nContent-Disposition: attachment; filename=\"dots.png\"\r\n\r\n" + Uuencode("dots.png", picture) +
            "--b--\r\n"), Options);

        var message = read.Message!;
        Assert.Contains("The invoice is below.", message.Text, StringComparison.Ordinal);
        Assert.Contains("Bye", message.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("begin 644", message.Text, StringComparison.Ordinal);
        Assert.Equal(["dots.png", "invoice.txt"], message.Attachments.Select(a => a.FileName).Order(StringComparer.Ordinal));
        Assert.Equal(note, Decoded(read, message, "invoice.txt"));
        Assert.Equal(picture, Decoded(read, message, "dots.png"));
        Assert.Equal("text/plain", message.Attachments.Single(a => a.FileName == "invoice.txt").ContentType);
    }

    private static byte[] Decoded(EmailReadResult read, Crm.Channels.Ingestion.InboundMessage message, string name)
    {
        var index = message.Attachments.ToList().FindIndex(a => a.FileName == name);
        using var content = ((MimePart)read.AttachmentParts[index]).Content!.Open();
        using var buffer = new MemoryStream();
        content.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>Classic uuencode (begin line, 45-byte lines, backquote for zero, end line), written out here independently of the reader.</summary>
    private static string Uuencode(string name, byte[] data)
    {
        static char Enc(int six) => six == 0 ? '`' : (char)(six + 32);
        var text = new StringBuilder($"begin 644 {name}\r\n");
        for (var offset = 0; offset < data.Length; offset += 45)
        {
            var line = data.AsSpan(offset, Math.Min(45, data.Length - offset));
            text.Append(Enc(line.Length));
            for (var i = 0; i < line.Length; i += 3)
            {
                int b0 = line[i], b1 = i + 1 < line.Length ? line[i + 1] : 0, b2 = i + 2 < line.Length ? line[i + 2] : 0;
                text.Append(Enc(b0 >> 2)).Append(Enc(((b0 << 4) | (b1 >> 4)) & 63)).Append(Enc(((b1 << 2) | (b2 >> 6)) & 63)).Append(Enc(b2 & 63));
            }

            text.Append("\r\n");
        }

        return text.Append("`\r\nend\r\n").ToString();
    }

    private static byte[] Mail(string headers) =>
        Encoding.ASCII.GetBytes($"{headers}To: support@shop.example\r\nSubject: Help\r\nMessage-ID: <{Guid.NewGuid():N}@example.com>\r\n\r\nBody\r\n");

    [Fact]
    public void A_bounce_that_becomes_a_ticket_keeps_its_delivery_status_and_no_empty_returned_message()
    {
        var mail = """
            From: Mail Delivery System <mailer-daemon@mx.example>
            To: support@shop.example
            Subject: Undelivered Mail Returned to Sender
            Message-ID: <bounce-kept@mx.example>
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="r"

            --r
            Content-Type: text/plain

            Your message could not be delivered.
            --r
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example

            Final-Recipient: rfc822; gone@example.com
            Action: failed
            Status: 5.1.1

            --r
            Content-Type: message/rfc822

            --r--
            """.ReplaceLineEndings("\r\n");

        var read = EmailReader.Read(Encoding.ASCII.GetBytes(mail), Options);

        Assert.Equal(EmailKind.Bounce, read.Kind);
        var status = Assert.Single(read.Message!.Attachments);
        Assert.Equal("message/delivery-status", status.ContentType);
        Assert.Equal("delivery-status.txt", status.FileName);
        Assert.True(status.Size > 60, $"the report's {status.Size} bytes");
        Assert.Single(read.AttachmentParts);
    }

    [Fact]
    public void An_attached_message_reports_its_size()
    {
        const string Attached = "From: ann@example.com\r\nTo: bob@example.com\r\nSubject: Forwarded\r\nMessage-ID: <inner@example.com>\r\n\r\nThe original text.\r\n";
        var mail = "From: bob@example.com\r\nTo: support@shop.example\r\nSubject: Fwd\r\nMessage-ID: <outer@example.com>\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n--m\r\nContent-Type: message/rfc822\r\n\r\n"
            + Attached + "--m--\r\n";

        var read = EmailReader.Read(Encoding.ASCII.GetBytes(mail), Options);

        var attached = Assert.Single(read.Message!.Attachments);
        Assert.Equal("message/rfc822", attached.ContentType);
        // The size of what is kept: the attached message as the intake writes it (MimeKit's line endings).
        using var kept = new MemoryStream();
        ((MessagePart)Assert.Single(read.AttachmentParts)).WriteTo(kept, contentOnly: true);
        Assert.Equal(kept.Length, attached.Size);
        Assert.InRange(attached.Size!.Value, Attached.Length - 8, Attached.Length);
    }

    [Fact]
    public void A_group_sender_without_a_name_is_named_after_the_groups_from_name()
    {
        var read = EmailReader.Read(Encoding.ASCII.GetBytes(
            "From: 'Ann Smith' via Support <support@googlegroups.example>\r\nX-Original-Sender: ann@example.com\r\nTo: support@shop.example\r\nSubject: Via the group\r\nMessage-ID: <group@example.com>\r\n\r\nHello\r\n"), Options);

        Assert.Equal("ann@example.com", read.Message!.Sender.Email);
        Assert.Equal("Ann Smith", read.Message.Sender.Name);
    }

    [Fact]
    public void An_x_uuencode_part_without_a_begin_line_keeps_its_content()
    {
        var content = Encoding.ASCII.GetBytes("Invoice 42: 19.99 EUR, due on 1 December. Thank you for your order!");
        var encoded = new StringBuilder();
        for (var offset = 0; offset < content.Length; offset += 45)
        {
            var line = content.AsSpan(offset, Math.Min(45, content.Length - offset));
            encoded.Append((char)(32 + line.Length));
            for (var i = 0; i < line.Length; i += 3)
            {
                int a = line[i], b = i + 1 < line.Length ? line[i + 1] : 0, c = i + 2 < line.Length ? line[i + 2] : 0;
                foreach (var sextet in new[] { a >> 2, ((a & 3) << 4) | (b >> 4), ((b & 15) << 2) | (c >> 6), c & 63 })
                {
                    encoded.Append(sextet == 0 ? '`' : (char)(32 + sextet));
                }
            }

            encoded.Append("\r\n");
        }

        var mail = "From: old@example.com\r\nTo: support@shop.example\r\nSubject: Invoice\r\nMessage-ID: <uu@example.com>\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nAttached.\r\n--m\r\n"
            + "Content-Type: text/plain; name=\"invoice.txt\"\r\nContent-Disposition: attachment; filename=\"invoice.txt\"\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n"
            + encoded + "--m--\r\n";

        var read = EmailReader.Read(Encoding.ASCII.GetBytes(mail), Options);

        var file = Assert.Single(read.Message!.Attachments);
        Assert.Equal("invoice.txt", file.FileName);
        Assert.Equal(content.Length, file.Size);
        using var decoded = new MemoryStream();
        ((MimePart)Assert.Single(read.AttachmentParts)).Content!.DecodeTo(decoded);
        Assert.Equal(content, decoded.ToArray());
    }

    [Theory]
    [InlineData("This line is no header\r\n")]
    [InlineData(">From customer@example.com Mon Nov 23 10:00:00 2026\r\n")]
    [InlineData("\r\n")]
    public void Any_junk_first_line_before_the_headers_is_skipped(string junk)
    {
        var read = EmailReader.Read(Encoding.ASCII.GetBytes(junk + "From: customer@example.com\r\nTo: support@shop.example\r\nSubject: After junk\r\nMessage-ID: <junk@example.com>\r\n\r\nHello\r\n"), Options);

        Assert.Equal("customer@example.com", read.Message!.Sender.Email);
        Assert.Equal("After junk", read.Message.Subject);
        Assert.Equal("Hello", read.Message.Text.Trim());
    }

    [Fact]
    public void An_in_reply_to_naming_several_messages_threads_on_each()
    {
        var read = EmailReader.Read(Encoding.ASCII.GetBytes("From: customer@example.com\r\nTo: support@shop.example\r\nSubject: Re: both\r\nMessage-ID: <both@example.com>\r\nIn-Reply-To: <first@shop.example> <second@shop.example>\r\n\r\nHello\r\n"), Options);

        Assert.Contains("first@shop.example", read.Message!.Thread.ReplyTo);
        Assert.Contains("second@shop.example", read.Message.Thread.ReplyTo);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("iso-8859-1")]
    public void Raw_8bit_gbk_headers_decode_also_when_no_or_a_wrong_charset_is_declared(string? declared)
    {
        var gbk = Encoding.GetEncoding("gbk");
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.ASCII.GetBytes("From: "));
        bytes.AddRange(gbk.GetBytes("王小明"));
        bytes.AddRange(Encoding.ASCII.GetBytes(" <wang@example.cn>\r\nTo: support@shop.example\r\nSubject: "));
        bytes.AddRange(gbk.GetBytes("发票问题"));
        bytes.AddRange(Encoding.ASCII.GetBytes("\r\nMessage-ID: <gbk-raw@example.cn>\r\nMIME-Version: 1.0\r\n"));
        bytes.AddRange(Encoding.ASCII.GetBytes(declared is null ? "Content-Type: text/plain\r\n" : $"Content-Type: text/plain; charset={declared}\r\n"));
        bytes.AddRange(Encoding.ASCII.GetBytes("Content-Transfer-Encoding: 8bit\r\n\r\n"));
        bytes.AddRange(gbk.GetBytes("请帮我查一下发票"));
        bytes.AddRange("\r\n"u8.ToArray());

        var read = EmailReader.Read([.. bytes], Options);

        Assert.Equal("发票问题", read.Message!.Subject);
        Assert.Equal("王小明", read.Message.Sender.Name);
        Assert.Equal("请帮我查一下发票", read.Message.Text.Trim());
    }
}
