using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Testing;
using MimeKit;

namespace Crm.EndToEnd.Tests;

/// <summary>What customers attach reaches agents intact and harmless: kept, served to agents only, never run in the admin origin.</summary>
public sealed class AttachmentTests : IAsyncLifetime
{
    private const string Secret = "relay-secret-for-attachments";
    private const string AgentKey = "agent-key-attachments";
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    private HostProcess _host = null!;

    public async Task InitializeAsync() => _host = await HostProcess.StartAsync(new Dictionary<string, string?>
    {
        [$"Crm:ApiKeys:{AgentKey}"] = "Agent",
        ["Crm:Email:InboundSecret"] = Secret,
        ["Crm:Attachments:MaxFileBytes"] = "4096",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Inline_images_an_inline_pdf_and_a_nameless_attachment_are_kept_downloadable_and_cid_is_resolved()
    {
        var mail = new MimeMessage { Subject = "Broken lamp", MessageId = $"{Guid.NewGuid():N}@mac.example" };
        mail.From.Add(new MailboxAddress("Ida", "ida@customer.example"));
        mail.To.Add(MailboxAddress.Parse("support@shop.example"));
        var builder = new BodyBuilder { HtmlBody = "<p>See the photo:</p><img src=\"cid:photo1@mac\"><p>Thanks</p>", TextBody = "See the photo [image: photo.png] Thanks" };
        var photo = builder.LinkedResources.Add("photo.png", Png, new ContentType("image", "png"));
        photo.ContentId = "photo1@mac";
        var invoice = builder.Attachments.Add("invoice.pdf", Pdf, new ContentType("application", "pdf"));
        invoice.ContentDisposition = new ContentDisposition(ContentDisposition.Inline) { FileName = "invoice.pdf" };
        builder.Attachments.Add(new MimePart("application", "octet-stream") { Content = new MimeContent(new MemoryStream(Encoding.ASCII.GetBytes("raw bytes without a name"))), ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) });
        mail.Body = builder.ToMessageBody();

        var ticket = await PostAndReadAsync(mail);
        var message = ticket.GetProperty("messages")[0];
        var attachments = message.GetProperty("attachments").EnumerateArray().ToList();

        Assert.Equal(3, attachments.Count);
        Assert.DoesNotContain("cid:", message.GetProperty("html").GetString(), StringComparison.Ordinal);
        Assert.Contains(attachments[0].GetProperty("url").GetString()!, message.GetProperty("html").GetString(), StringComparison.Ordinal);
        Assert.Equal(["photo.png", "invoice.pdf", "attachment-3.bin"], attachments.Select(a => a.GetProperty("fileName").GetString()));
        Assert.True(attachments[1].GetProperty("inline").GetBoolean());

        using var agent = _host.CreateClient(AgentKey);
        using var png = await agent.GetAsync(attachments[0].GetProperty("url").GetString());
        Assert.Equal(Png, await png.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        Assert.Equal("inline", png.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("nosniff", png.Headers.GetValues("X-Content-Type-Options").Single());
        using var pdf = await agent.GetAsync(attachments[1].GetProperty("url").GetString());
        Assert.Equal(Pdf, await pdf.Content.ReadAsByteArrayAsync());
        using var raw = await agent.GetAsync(attachments[2].GetProperty("url").GetString());
        Assert.Equal("raw bytes without a name", await raw.Content.ReadAsStringAsync());
        Assert.Equal("application/octet-stream", raw.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", raw.Content.Headers.ContentDisposition?.DispositionType);

        // Range requests (a resumed download, a PDF viewer).
        using var range = new HttpRequestMessage(HttpMethod.Get, attachments[1].GetProperty("url").GetString());
        range.Headers.Range = new RangeHeaderValue(0, 7);
        using var partial = await agent.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal("%PDF-1.4", await partial.Content.ReadAsStringAsync());

        using var anonymous = _host.CreateClient();
        using var refused = await anonymous.GetAsync(attachments[0].GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task A_mail_whose_only_content_is_two_inline_images_is_a_ticket_not_a_400()
    {
        var mail = new MimeMessage { Subject = "", MessageId = $"{Guid.NewGuid():N}@phone.example" };
        mail.From.Add(MailboxAddress.Parse("jo@customer.example"));
        mail.To.Add(MailboxAddress.Parse("support@shop.example"));
        var related = new Multipart("related");
        foreach (var name in new[] { "a.png", "b.png" })
        {
            related.Add(new MimePart("image", "png") { Content = new MimeContent(new MemoryStream(Png)), ContentDisposition = new ContentDisposition(ContentDisposition.Inline) { FileName = name }, ContentTransferEncoding = ContentEncoding.Base64 });
        }

        mail.Body = related;
        var ticket = await PostAndReadAsync(mail);

        var attachments = ticket.GetProperty("messages")[0].GetProperty("attachments").EnumerateArray().ToList();
        Assert.Equal(2, attachments.Count);
        // The same bytes twice are kept once: both point at one stored file.
        Assert.Equal(attachments[0].GetProperty("url").GetString()!.Split('/')[^1], attachments[1].GetProperty("url").GetString()!.Split('/')[^1]);
    }

    [Fact]
    public async Task A_hostile_svg_is_only_a_download_and_a_part_over_the_limit_is_recorded_not_kept_while_the_mail_is_stored()
    {
        var mail = new MimeMessage { Subject = "Files", MessageId = $"{Guid.NewGuid():N}@tb.example" };
        mail.From.Add(MailboxAddress.Parse("max@customer.example"));
        mail.To.Add(MailboxAddress.Parse("support@shop.example"));
        var builder = new BodyBuilder { TextBody = "Two files" };
        builder.Attachments.Add("logo.svg", Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.cookie)</script></svg>"), new ContentType("image", "svg+xml"));
        builder.Attachments.Add("big.bin", new byte[10_000], new ContentType("application", "octet-stream"));
        mail.Body = builder.ToMessageBody();

        var ticket = await PostAndReadAsync(mail);
        var attachments = ticket.GetProperty("messages")[0].GetProperty("attachments").EnumerateArray().ToList();

        using var agent = _host.CreateClient(AgentKey);
        using var svg = await agent.GetAsync(attachments[0].GetProperty("url").GetString());
        Assert.Equal("application/octet-stream", svg.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", svg.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Contains("sandbox", svg.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, attachments[1].GetProperty("url").ValueKind);
        Assert.Contains("too large", attachments[1].GetProperty("notKept").GetString(), StringComparison.Ordinal);
        Assert.Equal(10_000, attachments[1].GetProperty("size").GetInt64());

        // A key of another ticket's attachment opens nothing under this ticket.
        var other = await PostAndReadAsync(new MimeMessage(new[] { MailboxAddress.Parse("other@customer.example") }, new[] { MailboxAddress.Parse("support@shop.example") }, "Other", new TextPart("plain") { Text = "no files" }) { MessageId = $"{Guid.NewGuid():N}@x.example" });
        var key = attachments[0].GetProperty("url").GetString()!.Split('/')[^1];
        using var crossTicket = await agent.GetAsync($"/tickets/{other.GetProperty("id").GetInt64()}/attachments/{key}");
        using var traversal = await agent.GetAsync($"/tickets/{ticket.GetProperty("id").GetInt64()}/attachments/..%2F..%2Fcrm.db");
        Assert.Equal(HttpStatusCode.NotFound, crossTicket.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, traversal.StatusCode);
    }

    [Fact]
    public async Task Mail_in_gb2312_and_iso_2022_jp_reads_correctly_in_the_host()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        foreach (var (charset, text) in new[] { ("gb2312", "您好，我的订单还没有到"), ("iso-2022-jp", "注文がまだ届いていません") })
        {
            var encoding = Encoding.GetEncoding(charset);
            var mail = new MimeMessage { MessageId = $"{Guid.NewGuid():N}@cjk.example" };
            mail.From.Add(new MailboxAddress("王", "wang@customer.example"));
            mail.To.Add(MailboxAddress.Parse("support@shop.example"));
            mail.Headers.Replace(HeaderId.Subject, encoding, text[..4]);
            var body = new TextPart("plain");
            body.SetText(encoding, text);
            mail.Body = body;

            var ticket = await PostAndReadAsync(mail);

            Assert.Equal(text[..4], ticket.GetProperty("subject").GetString());
            Assert.Equal(text, ticket.GetProperty("messages")[0].GetProperty("text").GetString()!.Trim());
        }
    }

    [Fact]
    public async Task Mail_with_a_blank_body_or_a_junk_first_line_is_a_ticket_and_loses_nothing()
    {
        var blank = MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes($"From: blank@customer.example\r\nTo: support@shop.example\r\nSubject: Blank\r\nMessage-ID: <{Guid.NewGuid():N}@x.example>\r\n\r\n   \r\n")));
        var ticket = await PostAndReadAsync(blank);
        var kept = Assert.Single(ticket.GetProperty("messages")[0].GetProperty("attachments").EnumerateArray());
        Assert.Equal("message.eml", kept.GetProperty("fileName").GetString());
        using var agent = _host.CreateClient(AgentKey);
        Assert.Contains("Subject: Blank", await agent.GetStringAsync(kept.GetProperty("url").GetString()), StringComparison.Ordinal);

        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=email")
        {
            Content = new ByteArrayContent(Encoding.ASCII.GetBytes($"From junk@relay Mon Nov 23 10:00:00 2026\r\nFrom: after.junk@customer.example\r\nTo: support@shop.example\r\nSubject: After junk\r\nMessage-ID: <{Guid.NewGuid():N}@x.example>\r\n\r\nHello\r\n")),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        request.Headers.Add("X-Crm-Secret", Secret);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task A_body_longer_than_a_message_may_be_is_cut_with_the_whole_mail_attached_and_a_very_long_sender_name_is_cut()
    {
        var mail = new MimeMessage { Subject = "Long thread", MessageId = $"{Guid.NewGuid():N}@x.example" };
        mail.From.Add(new MailboxAddress(new string('N', 400), "long.thread@customer.example"));
        mail.To.Add(MailboxAddress.Parse("support@shop.example"));
        var body = string.Concat(Enumerable.Range(0, 12_000).Select(i => $"line {i:D5}\n"));
        mail.Body = new TextPart("plain") { Text = body + "THE END" };

        var ticket = await PostAndReadAsync(mail);

        var message = ticket.GetProperty("messages")[0];
        Assert.StartsWith("line 00000", message.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.InRange(message.GetProperty("text").GetString()!.Length, 90_000, 100_000);
        Assert.Equal(256, message.GetProperty("author").GetString()!.Length);
        var whole = Assert.Single(message.GetProperty("attachments").EnumerateArray());
        using var agent = _host.CreateClient(AgentKey);
        var original = await agent.GetStringAsync(whole.GetProperty("url").GetString());
        Assert.True(original.Contains("THE END", StringComparison.Ordinal), original[..Math.Min(2000, original.Length)]);
    }

    [Fact]
    public async Task A_file_uuencoded_into_the_body_downloads_with_its_bytes()
    {
        // "begin 644 hello.txt" for the bytes "Hello, uuencode!\n" (as uuencode(1) writes it).
        var mail = MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes(
            $"From: uu@customer.example\r\nTo: support@shop.example\r\nSubject: UU\r\nMessage-ID: <{Guid.NewGuid():N}@x.example>\r\n\r\nSee the file.\r\n\r\n" +
            "begin 644 hello.txt\r\n12&5L;&\\L('5U96YC;V1E(0H`\r\n`\r\nend\r\n")));

        var ticket = await PostAndReadAsync(mail);

        var message = ticket.GetProperty("messages")[0];
        Assert.Equal("See the file.", message.GetProperty("text").GetString());
        var file = Assert.Single(message.GetProperty("attachments").EnumerateArray());
        Assert.Equal("hello.txt", file.GetProperty("fileName").GetString());
        using var agent = _host.CreateClient(AgentKey);
        Assert.Equal("Hello, uuencode!\n"u8.ToArray(), await agent.GetByteArrayAsync(file.GetProperty("url").GetString()));
    }

    private async Task<JsonElement> PostAndReadAsync(MimeMessage mail)
    {
        using var buffer = new MemoryStream();
        await mail.WriteToAsync(buffer);
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=email") { Content = new ByteArrayContent(buffer.ToArray()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        request.Headers.Add("X-Crm-Secret", Secret);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        using var agent = _host.CreateClient(AgentKey);
        return await agent.GetFromJsonAsync<JsonElement>($"/tickets/{id}");
    }
}
