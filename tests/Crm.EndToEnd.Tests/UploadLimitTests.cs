using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Testing;

namespace Crm.EndToEnd.Tests;

/// <summary>
/// Anonymous chat uploads are bounded by quotas and by the conversation's attachment limit before anything is
/// stored, and a refused request — an upload, a reply, a reply's bad file — leaves no file in the store.
/// </summary>
public sealed class UploadLimitTests : IAsyncLifetime
{
    private const string AgentKey = "agent-key-upload-limits";
    private HostProcess _host = null!;

    public async Task InitializeAsync() => _host = await HostProcess.StartAsync(new Dictionary<string, string?>
    {
        [$"Crm:ApiKeys:{AgentKey}"] = "Agent",
        ["Crm:RateLimiting:ChatPermitLimit"] = "10000",
        ["Crm:RateLimiting:ConversationPermitLimit"] = "10000",
        ["Crm:Chat:UploadQuotaPerClient"] = "20000",
        ["Crm:Chat:UploadContentTypes:0"] = "application/octet-stream",
        ["Crm:Attachments:MaxTicketBytes"] = "5000",
        ["Crm:Attachments:MaxMessageBytes"] = "8000",
        ["Crm:Email:InboundSecret"] = Secret,
    });

    private const string Secret = "upload-limits-relay-secret";

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private string[] StoredFiles()
    {
        var root = Path.Combine(_host.DataDirectory, "attachments");
        return Directory.Exists(root) ? Directory.GetFiles(root, "*", SearchOption.AllDirectories) : [];
    }

    [Fact]
    public async Task The_conversation_limit_and_the_address_quota_are_counted_before_storing_and_refused_files_are_not_kept()
    {
        using var visitor = _host.CreateClient();
        var before = StoredFiles().Length;

        using var first = await UploadAsync(visitor, "limits@example.com", null, null, Random(3000), "first.bin");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var receipt = await first.Content.ReadFromJsonAsync<JsonElement>();
        var conversation = (receipt.GetProperty("conversationId").GetString()!, receipt.GetProperty("visitorToken").GetString()!);

        // 3,000 bytes kept of the ticket's 5,000: another 3,000 does not fit and is refused before it is kept.
        using var overTicket = await UploadAsync(visitor, "limits@example.com", conversation.Item1, conversation.Item2, Random(3000), "second.bin");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, overTicket.StatusCode);
        Assert.Contains("attachment limit", await overTicket.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before + 1, StoredFiles().Length);

        // The address has 17,000 bytes of its 20,000 left: four new conversations of 4,000 use 16,000, the fifth is refused.
        for (var i = 0; i < 4; i++)
        {
            using var fits = await UploadAsync(visitor, $"quota{i}@example.com", null, null, Random(4000), $"q{i}.bin");
            Assert.Equal(HttpStatusCode.Created, fits.StatusCode);
        }

        using var overQuota = await UploadAsync(visitor, "quota-last@example.com", null, null, Random(4000), "last.bin");
        Assert.Equal(HttpStatusCode.TooManyRequests, overQuota.StatusCode);
        Assert.Equal("application/problem+json", overQuota.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before + 5, StoredFiles().Length);
        // Text still goes through: the quota is on bytes of files.
        using var text = await visitor.PostAsJsonAsync("/tickets?channel=chat", new { name = "Visitor", email = "quota-last@example.com", message = "no file" });
        Assert.Equal(HttpStatusCode.Created, text.StatusCode);
    }

    [Fact]
    public async Task A_file_name_with_bidi_controls_is_stored_without_them()
    {
        using var visitor = _host.CreateClient();
        using var agent = _host.CreateClient(AgentKey);

        using var upload = await UploadAsync(visitor, "bidi@example.com", null, null, Random(10), "invoice\u202Efdp.exe");

        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var id = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var ticket = await agent.GetFromJsonAsync<JsonElement>($"/tickets/{id}");
        Assert.Equal("invoicefdp.exe", ticket.GetProperty("messages")[0].GetProperty("attachments")[0].GetProperty("fileName").GetString());
    }

    [Fact]
    public async Task Refused_replies_keep_none_of_their_files_and_an_oversized_reply_is_413_not_500()
    {
        using var visitor = _host.CreateClient();
        using var agent = _host.CreateClient(AgentKey);
        using var chat = await visitor.PostAsJsonAsync("/tickets?channel=chat", new { name = "Visitor", email = "replies@example.com", message = "Hello" });
        var ticketId = (await chat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var before = StoredFiles().Length;

        using (var noTicket = await agent.PostAsync("/tickets/999999/replies", ReplyForm(("a.pdf", "application/pdf", Random(500)))))
        {
            Assert.Equal(HttpStatusCode.NotFound, noTicket.StatusCode);
        }

        using (var notAMail = await agent.PostAsync($"/tickets/{ticketId}/replies", ReplyForm(("ok.bin", "application/octet-stream", Random(300)), ("forwarded.eml", "message/rfc822", Random(400)))))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, notAMail.StatusCode);
            Assert.Contains("not an email", await notAMail.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var oversized = await agent.PostAsync($"/tickets/{ticketId}/replies", ReplyForm(("big.bin", "application/octet-stream", Random(1_200_000)))))
        {
            // Past the reply's body limit (MaxMessageBytes + 1 MiB for the form): the server's own limit, answered as such.
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversized.StatusCode);
            Assert.Equal("application/problem+json", oversized.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(before, StoredFiles().Length);
        var mail = Encoding.ASCII.GetBytes("From: a@example.com\r\nTo: b@example.com\r\nSubject: Forwarded\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\nHello\r\n");
        using var realMail = await agent.PostAsync($"/tickets/{ticketId}/replies", ReplyForm(("forwarded.eml", "message/rfc822", mail)));
        Assert.Equal(HttpStatusCode.Accepted, realMail.StatusCode);
        Assert.Equal(before + 1, StoredFiles().Length);
        Assert.False(_host.HasExited);
    }

    [Fact]
    public async Task A_mail_file_past_the_tickets_limit_is_recorded_as_not_kept_and_its_bytes_are_not_left_behind()
    {
        using var relay = _host.CreateClient();
        using var agent = _host.CreateClient(AgentKey);
        var key = Guid.NewGuid().ToString("N");
        using var first = await PostMailAsync(relay, Mail($"<first.{key}@example.com>", $"Files {key}", "a.bin", Random(3000)));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var ticketId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var before = StoredFiles().Length;

        // 3,000 bytes of the ticket's 5,000 are kept: the answer's 3,000 more are recorded, not kept, and not stored.
        using var second = await PostMailAsync(relay, Mail($"<second.{key}@example.com>", $"Re: Files {key}", "b.bin", Random(3000), $"In-Reply-To: <first.{key}@example.com>\r\n"));
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        var ticket = await agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}");
        var notKept = ticket.GetProperty("messages")[1].GetProperty("attachments")[0];
        Assert.Contains("limit", notKept.GetProperty("notKept").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, StoredFiles().Length);

        // A redelivery of the first mail stores nothing new either.
        using var again = await PostMailAsync(relay, Mail($"<first.{key}@example.com>", $"Files {key}", "a.bin", Random(3000)));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(before, StoredFiles().Length);
    }

    private static byte[] Mail(string messageId, string subject, string fileName, byte[] file, string extraHeaders = "")
    {
        var message = new MimeKit.MimeMessage { Subject = subject, MessageId = messageId.Trim('<', '>') };
        message.From.Add(MimeKit.MailboxAddress.Parse("files@customer.example"));
        message.To.Add(MimeKit.MailboxAddress.Parse("support@shop.example"));
        var body = new MimeKit.BodyBuilder { TextBody = "See the file." };
        body.Attachments.Add(fileName, file);
        message.Body = body.ToMessageBody();
        foreach (var header in extraHeaders.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            message.Headers.Add(header[..header.IndexOf(':', StringComparison.Ordinal)], header[(header.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
        }

        using var buffer = new MemoryStream();
        message.WriteTo(buffer);
        return buffer.ToArray();
    }

    private static async Task<HttpResponseMessage> PostMailAsync(HttpClient relay, byte[] raw)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=email") { Content = new ByteArrayContent(raw) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        request.Headers.Add("X-Crm-Secret", Secret);
        return await relay.SendAsync(request);
    }

    private static MultipartFormDataContent ReplyForm(params (string Name, string Type, byte[] Bytes)[] files)
    {
        var form = new MultipartFormDataContent { { new StringContent("Files attached"), "text" } };
        foreach (var (name, type, bytes) in files)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue(type);
            form.Add(part, "files", name);
        }

        return form;
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient visitor, string email, string? conversationId, string? token, byte[] bytes, string fileName)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var form = new MultipartFormDataContent
        {
            { new StringContent("Visitor"), "name" },
            { new StringContent(email), "email" },
            { new StringContent("A file"), "message" },
        };
        if (conversationId is not null)
        {
            form.Add(new StringContent(conversationId), "conversationId");
        }

        form.Add(file, "file", fileName);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=chat") { Content = form };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await visitor.SendAsync(request);
    }

    private static byte[] Random(int length) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(length);
}
