namespace Crm.Testing;

/// <summary>Raw emails the intake tests deliver.</summary>
public static class TestMails
{
    /// <summary>An RFC 3464 delivery-status report saying mail to <paramref name="failedRecipient"/> failed for good.</summary>
    public static string BounceReport(string failedRecipient) => $"""
        From: Mail Delivery System <mailer-daemon@mx.example>
        To: news@shop.example
        Subject: Undelivered Mail Returned to Sender
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

        --r--
        """;
}
