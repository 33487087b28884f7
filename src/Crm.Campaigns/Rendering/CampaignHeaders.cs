using System.Globalization;
using System.Runtime.CompilerServices;
using Crm.Campaigns.Campaigns;
using MimeKit;
using MimeKit.Utils;

namespace Crm.Campaigns.Rendering;

/// <summary>
/// The header fields of a campaign's messages, each encoded by MimeKit once and cloned into every message (a clone
/// shares the encoded bytes): the fields every message of the campaign has in common, and the subject and date the
/// previous message had, which the next one almost always shares. Encoding them per message was most of what building
/// a message's headers cost.
/// </summary>
internal sealed class CampaignHeaders
{
    private static readonly ConditionalWeakTable<Campaign, CampaignHeaders> ByCampaign = new();

    private readonly Header _from;
    private readonly Header? _replyTo;
    private readonly Header[] _listHeaders;
    private readonly string? _listId;
    private EncodedSubject? _subject;
    private EncodedDate? _date;

    private CampaignHeaders(Campaign campaign, string? listId)
    {
        _listId = listId;
        // Made through MimeMessage's own API, so each field is encoded exactly as it would be on a message built field by field.
        using var prototype = new MimeMessage();
        var from = MailboxAddress.Parse(campaign.FromAddress);
        from.Name = campaign.FromName ?? "";
        prototype.From.Add(from);
        FromDomain = from.Domain;
        if (campaign.ReplyTo is { } replyTo)
        {
            prototype.ReplyTo.Add(MailboxAddress.Parse(replyTo));
        }

        prototype.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        // RFC 2919: mailbox providers group, filter and rate the stream by it.
        prototype.Headers.Add("List-Id", $"\"{(SingleLine(campaign.FromName) ?? "Campaigns").Replace("\"", "", StringComparison.Ordinal)}\" <{listId ?? "campaigns." + from.Domain}>");
        prototype.Headers.Add(CampaignMessageBuilder.CampaignHeader, campaign.Id.ToString(CultureInfo.InvariantCulture));
        _from = prototype.Headers.First(h => h.Id == HeaderId.From);
        _replyTo = prototype.Headers.FirstOrDefault(h => h.Id == HeaderId.ReplyTo);
        _listHeaders = [.. prototype.Headers.Where(h => h.Id is not (HeaderId.From or HeaderId.ReplyTo or HeaderId.Date or HeaderId.Subject or HeaderId.MessageId))];
    }

    /// <summary>The domain of the campaign's sender address.</summary>
    public string FromDomain { get; }

    /// <summary>The campaign's headers, made on first use and kept as long as the campaign object lives.</summary>
    /// <exception cref="ParseException">The campaign's sender or reply-to address does not parse.</exception>
    public static CampaignHeaders For(Campaign campaign, string? listId)
    {
        if (ByCampaign.TryGetValue(campaign, out var headers) && headers._listId == listId)
        {
            return headers;
        }

        headers = new CampaignHeaders(campaign, listId);
        ByCampaign.AddOrUpdate(campaign, headers);
        return headers;
    }

    /// <summary>
    /// A new message with the campaign's fields and the recipient's, in the order a message built field by field has
    /// them: From, Date, Subject, Message-Id, To, Reply-To, List-Unsubscribe and the list fields.
    /// </summary>
    public MimeMessage CreateMessage(string subject, DateTimeOffset date, string messageId, MailboxAddress to, string listUnsubscribe)
    {
        var headers = new HeaderList
        {
            _from.Clone(),
            DateHeader(date),
            SubjectHeader(subject),
            new Header(HeaderId.MessageId, "<" + messageId + ">"),
        };
        var message = new MimeMessage(headers);
        message.To.Add(to);
        if (_replyTo is not null)
        {
            headers.Add(_replyTo.Clone());
        }

        headers.Add(new Header("List-Unsubscribe", listUnsubscribe));
        foreach (var header in _listHeaders)
        {
            headers.Add(header.Clone());
        }

        return message;
    }

    private Header SubjectHeader(string subject)
    {
        var last = Volatile.Read(ref _subject);
        if (last is null || !string.Equals(last.Text, subject, StringComparison.Ordinal))
        {
            last = new EncodedSubject(subject, new Header(HeaderId.Subject, subject));
            Volatile.Write(ref _subject, last);
        }

        return last.Header.Clone();
    }

    private Header DateHeader(DateTimeOffset date)
    {
        // RFC 5322 dates name the second: every message within one second has the same field.
        var second = date.ToUnixTimeSeconds();
        var last = Volatile.Read(ref _date);
        if (last is null || last.Second != second || last.Offset != date.Offset)
        {
            last = new EncodedDate(second, date.Offset, new Header(HeaderId.Date, DateUtils.FormatDate(date)));
            Volatile.Write(ref _date, last);
        }

        return last.Header.Clone();
    }

    internal static string? SingleLine(string? value) => value?.ReplaceLineEndings(" ").Trim();

    // A field's value and its encoded header are replaced together, so a reader never pairs one's value with another's bytes.
    private sealed record EncodedSubject(string Text, Header Header);

    private sealed record EncodedDate(long Second, TimeSpan Offset, Header Header);
}
