using System.Text;
using Crm.Channels.Email;
using Crm.Testing;

namespace Crm.Channels.Tests;

public sealed class EmailReaderTests
{
    private static readonly EmailOptions Options = new();

    private static byte[] Mail(string text) => Encoding.Latin1.GetBytes(text.ReplaceLineEndings("\r\n"));

    [Fact]
    public void Encoded_latin1_subject_and_quoted_printable_body_decode()
    {
        var read = EmailReader.Read(Mail("""
            From: =?ISO-8859-1?Q?J=FCrgen_M=FCller?= <juergen@example.de>
            To: support@shop.example
            Subject: =?ISO-8859-1?Q?R=FCckfrage_zur_Bestellung?=
            Message-ID: <qp-1@example.de>
            MIME-Version: 1.0
            Content-Type: text/plain; charset=ISO-8859-1
            Content-Transfer-Encoding: quoted-printable

            Gr=FC=DFe aus M=FCnchen, die Lieferung ist besch=E4digt.
            """), Options);

        Assert.Equal(EmailKind.Message, read.Kind);
        var message = read.Message!;
        Assert.Equal("Rückfrage zur Bestellung", message.Subject);
        Assert.Equal("Jürgen Müller", message.Sender.Name);
        Assert.Contains("Grüße aus München, die Lieferung ist beschädigt.", message.Text, StringComparison.Ordinal);
        Assert.Equal("qp-1@example.de", message.ExternalMessageId);
    }

    [Fact]
    public void Base64_html_is_sanitised_and_gives_text_when_there_is_no_text_part()
    {
        var html = "<p onclick=\"steal()\">Hello <b>there</b></p><script>alert(1)</script><img src=\"https://tracker.example/p.gif\"><img src=\"cid:logo\"><a href=\"https://shop.example/\">shop</a><form><input></form>";
        var read = EmailReader.Read(Mail($"""
            From: ann@example.com
            Subject: Html only
            Message-ID: <b64@example.com>
            MIME-Version: 1.0
            Content-Type: text/html; charset=utf-8
            Content-Transfer-Encoding: base64

            {Convert.ToBase64String(Encoding.UTF8.GetBytes(html), Base64FormattingOptions.InsertLineBreaks)}
            """), Options);

        var message = read.Message!;
        Assert.DoesNotContain("script", message.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onclick", message.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("tracker.example", message.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<form", message.Html, StringComparison.Ordinal);
        Assert.Contains("src=\"cid:logo\"", message.Html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://shop.example/\"", message.Html, StringComparison.Ordinal);
        Assert.Contains("Hello there", message.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("alert", message.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Replies_carry_their_references_and_the_subject_ticket_tag()
    {
        var read = EmailReader.Read(Mail("""
            From: ann@example.com
            Subject: Re: [#42] Broken printer
            Message-ID: <r2@example.com>
            In-Reply-To: <r1@example.com>
            References: <r0@example.com> <r1@example.com>

            Still broken.
            """), Options);

        Assert.Equal(42, read.Message!.Thread.TicketNumber);
        Assert.Contains("r1@example.com", read.Message.Thread.ReplyTo);
        Assert.Contains("r0@example.com", read.Message.Thread.ReplyTo);
    }

    [Fact]
    public void Mail_without_message_id_gets_a_stable_synthetic_one()
    {
        var raw = Mail("From: ann@example.com\nSubject: No id\n\nHello\n");

        var first = EmailReader.Read(raw, Options).Message!.ExternalMessageId;
        var second = EmailReader.Read(raw, Options).Message!.ExternalMessageId;

        Assert.Equal(first, second);
        Assert.StartsWith("sha256-", first, StringComparison.Ordinal);
        Assert.NotEqual(first, EmailReader.Read(Mail("From: ann@example.com\nSubject: No id\n\nHello!\n"), Options).Message!.ExternalMessageId);
    }

    [Theory]
    [InlineData("Auto-Submitted: auto-replied")]
    [InlineData("Auto-Submitted: auto-generated")]
    [InlineData("X-Autoreply: yes")]
    [InlineData("X-Autorespond: Out of office")]
    [InlineData("Precedence: bulk")]
    [InlineData("Precedence: junk")]
    [InlineData("Precedence: list")]
    [InlineData("Precedence: auto_reply")]
    public void Automatic_replies_are_recognised(string header)
    {
        var read = EmailReader.Read(Mail($"From: ann@example.com\nSubject: Out of office\nMessage-ID: <ooo@example.com>\n{header}\n\nI am away.\n"), Options);

        Assert.Equal(EmailKind.AutoReply, read.Kind);
        Assert.Null(read.Message);
    }

    [Fact]
    public void Auto_submitted_no_is_a_person()
        => Assert.Equal(EmailKind.Message, EmailReader.Read(Mail("From: ann@example.com\nSubject: Hi\nAuto-Submitted: no\n\nHi\n"), Options).Kind);

    [Fact]
    public void A_delivery_status_report_is_a_bounce_naming_its_failed_recipients()
    {
        var read = EmailReader.Read(Mail(TestMails.BounceReport("gone@example.com")), Options);

        Assert.Equal(EmailKind.Bounce, read.Kind);
        Assert.Equal(["gone@example.com"], read.Report!.FailedRecipients);
    }

    [Theory]
    [InlineData("From: MAILER-DAEMON@mx.example\nSubject: Undelivered Mail\n\nSorry.\n")]
    [InlineData("From: postmaster@mx.example\nSubject: Delivery failure\n\nSorry.\n")]
    [InlineData("Return-Path: <>\nFrom: someone@mx.example\nSubject: failure\n\nSorry.\n")]
    public void Daemon_senders_and_empty_return_paths_are_bounces(string mail)
        => Assert.Equal(EmailKind.Bounce, EmailReader.Read(Mail(mail), Options).Kind);

    [Fact]
    public void Attachments_are_described_with_name_type_and_decoded_size()
    {
        var content = Convert.ToBase64String(new byte[3000]);
        var read = EmailReader.Read(Mail($"""
            From: ann@example.com
            Subject: Invoice
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: text/plain

            See attached.
            --b
            Content-Type: application/pdf; name="invoice.pdf"
            Content-Disposition: attachment; filename="invoice.pdf"
            Content-Transfer-Encoding: base64

            {content}
            --b--
            """), Options);

        var attachment = Assert.Single(read.Message!.Attachments);
        Assert.Equal("invoice.pdf", attachment.FileName);
        Assert.Equal("application/pdf", attachment.ContentType);
        Assert.Equal(3000, attachment.Size);
    }

    [Fact]
    public void Mail_with_no_sender_is_unreadable()
        => Assert.Throws<UnreadableEmailException>(() => EmailReader.Read(Mail("Subject: nobody\n\nwho am i\n"), Options));

    [Fact]
    public void A_mail_of_200000_parts_is_refused_while_parsing_with_bounded_memory()
    {
        var raw = TestMails.ManyParts(200_000, "many");
        var allocated = GC.GetAllocatedBytesForCurrentThread();

        var failure = Assert.Throws<EmailTooComplexException>(() => EmailReader.Read(raw, Options));

        Assert.Contains("more than 500 MIME parts", failure.Message, StringComparison.Ordinal);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - allocated, 0, 16 * 1024 * 1024);
    }

    [Fact]
    public void A_mail_nested_deeper_than_the_limit_is_refused()
    {
        var failure = Assert.Throws<EmailTooComplexException>(() => EmailReader.Read(TestMails.DeeplyNested(60, "deep"), Options));

        Assert.Contains("deeper than 20 levels", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mail_within_the_limits_is_read()
    {
        Assert.Equal(EmailKind.Message, EmailReader.Read(TestMails.ManyParts(400, "fine"), Options).Kind);
        Assert.Equal(EmailKind.Message, EmailReader.Read(TestMails.DeeplyNested(15, "fine"), Options).Kind);
    }

    [Fact]
    public void A_delivery_report_carries_the_quoted_message_id_and_where_it_was_delivered()
    {
        var read = EmailReader.Read(Mail(TestMails.BounceReport("gone@example.com", to: "bounces+7.42.abc@shop.example", returnedMessageId: "crm.7.42.abc@shop.example")), Options);

        Assert.Equal(EmailKind.Bounce, read.Kind);
        Assert.Equal(["crm.7.42.abc@shop.example"], read.Report!.QuotedMessageIds);
        Assert.Contains("bounces+7.42.abc@shop.example", read.Report.ReportRecipients);
        Assert.Equal(["gone@example.com"], read.Report.FailedRecipients);
        Assert.NotNull(read.Message);
    }

    [Fact]
    public void A_gmail_style_bounce_names_its_addresses_in_x_failed_recipients()
    {
        var read = EmailReader.Read(Mail("""
            From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
            To: news@shop.example
            Subject: Delivery Status Notification (Failure)
            X-Failed-Recipients: Gone@Example.com, other@example.com
            Message-ID: <g1@mail.gmail.com>

            Your message wasn't delivered.
            """), Options);

        Assert.Equal(EmailKind.Bounce, read.Kind);
        Assert.Equal(["gone@example.com", "other@example.com"], read.Report!.FailedRecipients);
    }
}
