namespace Crm.Testing;

/// <summary>Raw emails the intake tests deliver.</summary>
public static class TestMails
{
    /// <summary>A mail of <paramref name="parts"/> one-byte parts in one multipart/mixed (a cheap way to exhaust a MIME parser).</summary>
    public static byte[] ManyParts(int parts, string subject)
    {
        var mail = new System.Text.StringBuilder($"From: many@example.com\r\nTo: support@shop.example\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n");
        mail.Append("--b\r\nContent-Type: text/plain\r\n\r\nHello\r\n");
        for (var i = 1; i < parts; i++)
        {
            mail.Append("--b\r\n\r\nx\r\n");
        }

        mail.Append("--b--\r\n");
        return System.Text.Encoding.ASCII.GetBytes(mail.ToString());
    }

    /// <summary>A mail whose multiparts nest <paramref name="depth"/> levels deep.</summary>
    public static byte[] DeeplyNested(int depth, string subject)
    {
        var mail = new System.Text.StringBuilder($"From: deep@example.com\r\nTo: support@shop.example\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n");
        for (var i = 1; i < depth; i++)
        {
            mail.Append($"--b{i - 1}\r\nContent-Type: multipart/mixed; boundary=b{i}\r\n\r\n");
        }

        mail.Append($"--b{depth - 1}\r\nContent-Type: text/plain\r\n\r\nHello\r\n");
        for (var i = depth - 1; i >= 0; i--)
        {
            mail.Append($"--b{i}--\r\n");
        }

        return System.Text.Encoding.ASCII.GetBytes(mail.ToString());
    }

    /// <summary>
    /// An RFC 3464 delivery-status report saying mail to <paramref name="failedRecipient"/> failed for good, delivered to
    /// <paramref name="to"/> (a VERP return path, or the plain sender), quoting <paramref name="returnedMessageId"/> in
    /// its returned headers when given.
    /// </summary>
    public static string BounceReport(string failedRecipient, string to = "news@shop.example", string? returnedMessageId = null, string subject = "Undelivered Mail Returned to Sender")
    {
        var returned = returnedMessageId is null ? "" : $"""
            --r
            Content-Type: text/rfc822-headers

            From: news@shop.example
            To: {failedRecipient}
            Message-ID: <{returnedMessageId}>
            Subject: Our news

            """;
        return $"""
            From: Mail Delivery System <mailer-daemon@mx.example>
            To: {to}
            Subject: {subject}
            Message-ID: <bounce-{Guid.NewGuid():N}@mx.example>
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="r"

            --r
            Content-Type: text/plain

            Your message could not be delivered.
            --r
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example

            Final-Recipient: rfc822; {failedRecipient}
            Action: failed
            Status: 5.1.1
            Diagnostic-Code: smtp; 550 5.1.1 User unknown

            {returned}--r--
            """;
    }
}
