using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Rendering;
using Crm.Campaigns.Segments;
using Crm.Campaigns.Sending;
using Crm.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Crm.Campaigns.Tests;

/// <summary>
/// The builder serialises a message's body once, and the signer and the transport take its bytes: what leaves
/// must be exactly what MimeKit would have written, in either newline format, and a real server must receive the same
/// text — dot-stuffed lines included.
/// </summary>
public sealed class SerializedBodyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    // Lines a server would read as the end of DATA unless the transport stuffs them, and a long line to wrap.
    private const string Body = "<html><body><p>Dear {{ contact.name }}</p>\n.\n..two dots\n. a dot and a space\n<p>" + "long line without a break " + "</p></body></html>";

    [Theory]
    [InlineData(NewLineFormat.Dos)]
    [InlineData(NewLineFormat.Unix)]
    public async Task A_built_message_is_frozen_as_it_is_made_and_writes_the_bytes_mimekit_writes_for_its_parts(NewLineFormat newLines)
    {
        var message = await BuildAsync();
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = newLines;

        // The builder encodes both parts straight into the body's buffer.
        var frozen = Assert.IsType<SerializedBody>(message.Body);
        var after = Serialise(message, format);

        // The oracle: MimeKit itself writing the same parts in a plain multipart with the same boundary.
        var plain = new MultipartAlternative { Boundary = frozen.Boundary! };
        foreach (var part in frozen)
        {
            plain.Add(part);
        }

        message.Body = plain;
        var before = Serialise(message, format);
        message.Body = frozen;
        Assert.Equal(before, after);
        Assert.Equal(newLines == NewLineFormat.Dos, after.AsSpan().IndexOf("\r\n"u8) >= 0);
        // A custom sender that reads the parts (to post them to a provider's API) still can.
        Assert.Contains("<p>Dear Ann</p>\n.\n..two dots\n", message.HtmlBody!.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains(string.Concat(Enumerable.Repeat("long line without a break ", 60)), message.HtmlBody, StringComparison.Ordinal);
        Assert.EndsWith("Unsubscribe (https://crm.example/bulk-email/unsubscribe/7/9.token)", message.TextBody!.TrimEnd(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_frozen_message_written_for_the_wire_is_byte_for_byte_what_mimekit_writes_and_one_with_a_hidden_header_is_left_to_mimekit(bool international)
    {
        var message = await BuildAsync();
        message.Cc.Add(new MailboxAddress("Jöran", "jöran@exämple.com"));
        var wire = FormatOptions.Default.Clone();
        wire.NewLineFormat = NewLineFormat.Dos;
        wire.International = international;
        wire.HiddenHeaders.Add(HeaderId.Bcc);

        using var direct = new MemoryStream();
        Assert.True(SerializedBody.TryWriteMessage(message, wire, direct));

        Assert.Equal(Serialise(message, wire), direct.ToArray());
        var unix = wire.Clone();
        unix.NewLineFormat = NewLineFormat.Unix;
        Assert.False(SerializedBody.TryWriteMessage(message, unix, new MemoryStream()));
        message.Bcc.Add(new MailboxAddress("Audit Ünit", "audit@shop.example"));
        Assert.False(SerializedBody.TryWriteMessage(message, wire, new MemoryStream()));
    }

    [Fact]
    public async Task A_frozen_message_reaches_smtp_sink_with_its_text_intact_dot_lines_included()
    {
        var message = await BuildAsync();
        var html = message.HtmlBody;
        var text = message.TextBody;
        await using var sink = await SmtpSink.StartAsync();
        await using var sender = new SmtpCampaignSender(Options.Create(new SmtpOptions { Host = "127.0.0.1", Port = sink.Port, Security = SmtpSecurity.None }), NullLogger<SmtpCampaignSender>.Instance);

        await sender.SendAsync(message, new MailboxAddress("", "bounces@shop.example"), CancellationToken.None);
        await sink.WaitForMessagesAsync(1, TimeSpan.FromSeconds(10));

        var received = SinkMessage.Load(sink.MessageFiles().Single()).Message;
        Assert.Equal(html, received.HtmlBody);
        Assert.Equal(text, received.TextBody);
        Assert.Contains("\n..two dots\n", received.HtmlBody!.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal(message.MessageId, received.MessageId);
    }

    [Theory]
    [InlineData(true, "BDAT")]
    [InlineData(false, "DATA")]
    public async Task A_frozen_message_goes_by_bdat_where_the_server_offers_chunking_and_by_data_elsewhere_byte_for_byte(bool chunking, string command)
    {
        var message = await BuildAsync();
        var wire = FormatOptions.Default.Clone();
        wire.NewLineFormat = NewLineFormat.Dos;
        var expected = System.Text.Encoding.ASCII.GetString(Serialise(message, wire));
        await using var server = new ScriptedSmtpServer(_ => null) { Chunking = chunking };
        await using var sender = new SmtpCampaignSender(Options.Create(new SmtpOptions { Host = "127.0.0.1", Port = server.Port, Security = SmtpSecurity.None }), NullLogger<SmtpCampaignSender>.Instance);

        await sender.SendAsync(message, new MailboxAddress("", "bounces@shop.example"), CancellationToken.None);
        await sender.SendAsync(message, new MailboxAddress("", "bounces@shop.example"), CancellationToken.None);

        Assert.Equal(2, server.Messages.Count);
        Assert.All(server.Messages, m =>
        {
            Assert.Equal(command, m.Command);
            Assert.Equal(expected, m.Content);
        });
        Assert.Contains("\r\n..two dots", expected, StringComparison.Ordinal);
    }

    private static async Task<MimeMessage> BuildAsync()
    {
        var body = Body.Replace("long line without a break ", string.Concat(Enumerable.Repeat("long line without a break ", 60)), StringComparison.Ordinal);
        var campaign = new Campaign(7, "Dots for {{ contact.name }}", body, SegmentCriteria.All, CampaignStatus.Sending, Now, Now, Now, null,
            "news@shop.example", "Shop", "https://crm.example", new CampaignStats(1, 0, 0, 0, 0, 0));
        var recipient = new ClaimedRecipient(9, 7, 3, "ann@example.com", "Ann", new Dictionary<string, string>(), 0);
        var links = CampaignMessageBuilder.LinksFor("https://crm.example/", 7, "9.token", "unsubscribe@shop.example");
        return await CampaignMessageBuilder.BuildAsync(campaign, CampaignTemplate.Parse(campaign.Subject, campaign.Body), recipient, links, Now, null, CancellationToken.None);
    }

    private static byte[] Serialise(MimeMessage message, FormatOptions format)
    {
        using var stream = new MemoryStream();
        message.WriteTo(format, stream);
        return stream.ToArray();
    }
}
