using System.Text.RegularExpressions;
using MimeKit;

namespace Crm.Channels.Email;

/// <summary>What kind of mail it is: auto-replies, delivery reports and the messages they quote.</summary>
internal static partial class EmailReader
{
    private static string? AutoReplyReason(MimeMessage message)
    {
        var headers = message.Headers;
        var autoSubmitted = headers[HeaderId.AutoSubmitted];
        if (!string.IsNullOrWhiteSpace(autoSubmitted) && !autoSubmitted.Trim().StartsWith("no", StringComparison.OrdinalIgnoreCase))
        {
            return "Auto-Submitted: " + autoSubmitted.Trim();
        }

        foreach (var name in (string[])["X-Autoreply", "X-Autorespond", "X-Autoresponder"])
        {
            if (headers.Contains(name))
            {
                return name;
            }
        }

        var precedence = headers["Precedence"]?.Trim().ToLowerInvariant();
        if (precedence is "bulk" or "junk" or "list" or "auto_reply")
        {
            return "Precedence: " + precedence;
        }

        return null;
    }

    private static string? BounceReason(MimeMessage message)
    {
        if (message.Body is MultipartReport report && string.Equals(report.ReportType, "delivery-status", StringComparison.OrdinalIgnoreCase))
        {
            return "multipart/report; report-type=delivery-status";
        }

        var sender = message.From.Mailboxes.FirstOrDefault()?.LocalPart;
        if (sender is not null && (sender.Equals("MAILER-DAEMON", StringComparison.OrdinalIgnoreCase) || sender.Equals("postmaster", StringComparison.OrdinalIgnoreCase)))
        {
            return "sender " + sender;
        }

        if (message.Headers.Contains("X-Failed-Recipients"))
        {
            return "X-Failed-Recipients";
        }

        var returnPath = message.Headers[HeaderId.ReturnPath];
        if (returnPath is not null && returnPath.Trim() is "<>" or "")
        {
            return "empty Return-Path";
        }

        return null;
    }

    /// <summary>Message-IDs of the returned message: in a text/rfc822-headers or message/rfc822 part, or X-Original-Message-ID.</summary>
    private static IReadOnlyList<string> QuotedMessageIds(MimeMessage message)
    {
        var ids = new List<string>();
        foreach (var part in message.BodyParts)
        {
            if (part is MessagePart { Message: { } returned } && !string.IsNullOrEmpty(returned.MessageId))
            {
                ids.Add(returned.MessageId);
            }
            else if (part is MimePart mime && mime.ContentType.IsMimeType("text", "rfc822-headers") && mime.Content is not null)
            {
                using var content = mime.Content.Open();
                try
                {
                    var headers = HeaderList.Load(content);
                    if (headers[HeaderId.MessageId] is { } id)
                    {
                        ids.Add(id.Trim().Trim('<', '>'));
                    }
                }
                catch (FormatException)
                {
                    // Returned headers that do not parse quote nothing.
                }
            }
        }

        foreach (var header in message.Headers.Where(h => h.Field.Equals("X-Original-Message-ID", StringComparison.OrdinalIgnoreCase)))
        {
            ids.Add(header.Value.Trim().Trim('<', '>'));
        }

        return ids.Where(id => id.Length > 0).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The addresses the report was delivered to; a VERP return path shows up here.</summary>
    private static IReadOnlyList<string> ReportRecipients(MimeMessage message) =>
        message.To.Mailboxes.Select(m => m.Address).Concat(EnvelopeRecipients(message))
            .Where(a => a.Contains('@', StringComparison.Ordinal)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>
    /// The addresses the receiving server says it delivered the mail to (<c>Delivered-To</c>, <c>X-Original-To</c>,
    /// <c>Envelope-To</c>): the envelope, which the sender does not write, unlike <c>To</c> and <c>Cc</c>.
    /// </summary>
    private static IEnumerable<string> EnvelopeRecipients(MimeMessage message) =>
        message.Headers
            .Where(h => h.Field.Equals("Delivered-To", StringComparison.OrdinalIgnoreCase) || h.Field.Equals("X-Original-To", StringComparison.OrdinalIgnoreCase) || h.Field.Equals("Envelope-To", StringComparison.OrdinalIgnoreCase))
            .Select(h => h.Value.Trim().Trim('<', '>'));

    private static IReadOnlyList<string> FailedRecipients(MimeMessage message)
    {
        var failed = new List<string>();
        // Gmail's style: the failed addresses in a header rather than (or besides) a delivery-status part.
        foreach (var header in message.Headers.Where(h => h.Field.Equals("X-Failed-Recipients", StringComparison.OrdinalIgnoreCase)))
        {
            failed.AddRange(header.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(a => a.Contains('@', StringComparison.Ordinal)).Select(a => a.Trim('<', '>').ToLowerInvariant()));
        }

        foreach (var status in message.BodyParts.OfType<MessageDeliveryStatus>())
        {
            foreach (var group in status.StatusGroups.Skip(1))
            {
                var action = group["Action"]?.Trim();
                var recipient = group["Final-Recipient"] ?? group["Original-Recipient"];
                if (!string.Equals(action, "failed", StringComparison.OrdinalIgnoreCase) || recipient is null)
                {
                    continue;
                }

                // "rfc822; user@example.com"
                var semicolon = recipient.IndexOf(';', StringComparison.Ordinal);
                var address = (semicolon >= 0 ? recipient[(semicolon + 1)..] : recipient).Trim().Trim('<', '>');
                if (address.Contains('@', StringComparison.Ordinal))
                {
                    failed.Add(address.ToLowerInvariant());
                }
            }
        }

        return failed.Distinct(StringComparer.Ordinal).ToList();
    }

    [GeneratedRegex("<[^<>]*>")]
    private static partial Regex AngleBrackets();
}
