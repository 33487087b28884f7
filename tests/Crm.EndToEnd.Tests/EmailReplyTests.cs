using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Testing;
using MimeKit;

namespace Crm.EndToEnd.Tests;

public sealed class EmailReplyFixture : IAsyncLifetime
{
    public const string Secret = "relay-secret-for-replies-0123";
    public const string AgentKey = "agent-key-email-replies";

    public SmtpSink Sink { get; private set; } = null!;

    public DovecotServer Dovecot { get; private set; } = null!;

    public HostProcess Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        try
        {
            Sink = await SmtpSink.StartAsync();
            Dovecot = await DovecotServer.CreateAsync();
            Host = await HostProcess.StartAsync(new Dictionary<string, string?>
            {
                [$"Crm:ApiKeys:{AgentKey}"] = "Agent",
                ["Crm:Email:InboundSecret"] = Secret,
                ["Crm:Email:ReplyFrom"] = "Shop Support <support@shop.example>",
                ["Crm:Email:Signature"] = "Kind regards,\nThe Shop team",
                ["Crm:Smtp:Host"] = "127.0.0.1",
                ["Crm:Smtp:Port"] = Sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Crm:Outbox:RetryDelay"] = "00:00:00.300",
                ["Crm:Outbox:MaxRetryDelay"] = "00:00:01",
                ["Crm:Chat:OfflineEmailAfter"] = "00:00:02",
                ["Crm:Imap:Host"] = "127.0.0.1",
                ["Crm:Imap:Port"] = Dovecot.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Crm:Imap:Security"] = "None",
                ["Crm:Imap:UserName"] = DovecotServer.UserName,
                ["Crm:Imap:Password"] = DovecotServer.Password,
                ["Crm:Imap:PollInterval"] = "00:00:01",
            });
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        if (Dovecot is not null)
        {
            await Dovecot.DisposeAsync();
        }

        if (Sink is not null)
        {
            await Sink.DisposeAsync();
        }
    }
}

/// <summary>Agents answer email tickets: the reply as smtp-sink stored it, and the customer's answer threading back.</summary>
public sealed class EmailReplyTests(EmailReplyFixture fixture) : IClassFixture<EmailReplyFixture>, IDisposable
{
    private readonly HttpClient _agent = fixture.Host.CreateClient(EmailReplyFixture.AgentKey);

    public void Dispose() => _agent.Dispose();

    [Fact]
    public async Task A_reply_is_a_threaded_personal_mail_from_the_support_mailbox()
    {
        var customerId = $"<{Guid.NewGuid():N}@customer.example>";
        var ticketId = await OpenTicketAsync(CustomerMail("Order 1042 is late", customerId, "Where is my parcel?"));

        var reply = await ReplyAndWaitAsync(ticketId, "It left our warehouse today.\nTracking: 123");

        var mail = reply.Message;
        Assert.Equal(["buyer@customer.example"], reply.EnvelopeRecipients);
        Assert.Equal("support@shop.example", ((MailboxAddress)mail.From.Single()).Address);
        Assert.Equal("buyer@customer.example", ((MailboxAddress)mail.To.Single()).Address);
        Assert.Equal($"Re: Order 1042 is late [#{ticketId}]", mail.Subject);
        Assert.Equal(customerId.Trim('<', '>'), mail.InReplyTo);
        Assert.Equal([customerId.Trim('<', '>')], mail.References);
        Assert.Contains("It left our warehouse today.", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("-- \nKind regards,\nThe Shop team", mail.TextBody!.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("Tracking: 123", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Null(mail.Headers[HeaderId.ListUnsubscribe]);
        Assert.Null(mail.Headers["Auto-Submitted"]);
        Assert.Null(mail.Headers[HeaderId.Precedence]);
        var stored = (await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}")).GetProperty("messages").EnumerateArray().Last();
        Assert.Equal(mail.MessageId, stored.GetProperty("externalMessageId").GetString());
        Assert.Equal("pending", (await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_customers_Cc_is_kept_replies_copy_it_in_without_our_own_address_and_an_agent_can_change_it()
    {
        var customerId = $"<{Guid.NewGuid():N}@customer.example>";
        var ticketId = await OpenTicketAsync(CustomerMail("Invoice address", customerId, "Please change it", cc: "Carl Colleague <Carl@Customer.example>, Support <support@shop.example>, buyer@customer.example"));
        var ticket = await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}");
        Assert.Equal(["carl@customer.example"], ticket.GetProperty("cc").EnumerateArray().Select(a => a.GetString()));

        var first = await ReplyAndWaitAsync(ticketId, "Changed.");
        Assert.Equal(["carl@customer.example"], first.Message.Cc.Mailboxes.Select(m => m.Address));
        Assert.Equal(["buyer@customer.example", "carl@customer.example"], first.EnvelopeRecipients.Order(StringComparer.Ordinal));

        // The customer answers copying someone else in as well: the ticket keeps both.
        using (var answer = await PostWebhookAsync(CustomerMail("Re: Invoice address", $"<{Guid.NewGuid():N}@customer.example>", "Thanks", inReplyTo: $"<{first.Message.MessageId}>", cc: "carl@customer.example, dora@customer.example")))
        {
            Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        }

        ticket = await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}");
        Assert.Equal(["carl@customer.example", "dora@customer.example"], ticket.GetProperty("cc").EnumerateArray().Select(a => a.GetString()));

        // The agent edits the list: it replaces the ticket's Cc, and the customer is never copied in on their own mail.
        var edited = await ReplyAndWaitAsync(ticketId, "Done for both.", cc: ["Dora@customer.example", "buyer@customer.example"]);
        Assert.Equal(["dora@customer.example"], edited.Message.Cc.Mailboxes.Select(m => m.Address));
        ticket = await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}");
        Assert.Equal(["dora@customer.example"], ticket.GetProperty("cc").EnumerateArray().Select(a => a.GetString()));

        using var invalid = await _agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "x", cc = new[] { "not an address" } });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.True((await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("cc", out _));
    }

    [Fact]
    public async Task Cc_on_a_reply_that_goes_out_on_chat_is_refused_and_carries_no_signature()
    {
        using var visitor = fixture.Host.CreateClient();
        using var chat = await visitor.PostAsJsonAsync("/tickets?channel=chat", new { name = "Vic", email = $"vic.{Guid.NewGuid():N}@example.com", message = "Hi" });
        var ticketId = (await chat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        using var refused = await _agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "Hello", cc = new[] { "boss@example.com" } });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("Cc is for email", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var reply = await _agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "Hello" });
        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
        var stored = await reply.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Hello", stored.GetProperty("text").GetString());
        Assert.DoesNotContain("Kind regards", stored.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_customers_answer_joins_the_ticket_with_only_references_or_only_in_reply_to()
    {
        var customerId = $"<{Guid.NewGuid():N}@customer.example>";
        var ticketId = await OpenTicketAsync(CustomerMail("Refund", customerId, "I want a refund"));
        var reply = await ReplyAndWaitAsync(ticketId, "Which order?");
        var ourId = $"<{reply.Message.MessageId}>";

        // Outlook: References only, its own subject prefix, no ticket tag.
        using var outlook = await PostWebhookAsync(CustomerMail("RE: Refund", $"<{Guid.NewGuid():N}@customer.example>", "Order 77", references: $"{customerId} {ourId}"));
        // A client that sends In-Reply-To only.
        using var inReplyTo = await PostWebhookAsync(CustomerMail("Refund again", $"<{Guid.NewGuid():N}@customer.example>", "Still waiting", inReplyTo: ourId));

        Assert.Equal(HttpStatusCode.Created, outlook.StatusCode);
        Assert.Equal(HttpStatusCode.Created, inReplyTo.StatusCode);
        Assert.Equal(ticketId, (await outlook.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        Assert.Equal(ticketId, (await inReplyTo.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        var ticket = await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}");
        Assert.Equal("open", ticket.GetProperty("status").GetString());
        Assert.Equal(4, ticket.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task A_gmail_style_answer_polled_from_the_imap_mailbox_joins_the_ticket_and_the_next_reply_references_the_chain()
    {
        var customerId = $"<{Guid.NewGuid():N}@customer.example>";
        var ticketId = await OpenTicketAsync(CustomerMail("Broken zipper", customerId, "The zipper broke"));
        var first = await ReplyAndWaitAsync(ticketId, "Please send a photo");
        var ourId = $"<{first.Message.MessageId}>";
        var answerId = $"<{Guid.NewGuid():N}@mail.gmail.example>";

        await fixture.Dovecot.DeliverAsync(CustomerMail($"Re: Broken zipper [#{ticketId}]", answerId, "Photo attached", inReplyTo: ourId, references: $"{customerId} {ourId}"));
        await Poll.UntilAsync(
            async () => (await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}")).GetProperty("messages").GetArrayLength(),
            count => count == 3,
            TimeSpan.FromSeconds(20),
            "the polled answer on the ticket");

        var second = await ReplyAndWaitAsync(ticketId, "Thanks, a new one is on its way");
        Assert.Equal(answerId.Trim('<', '>'), second.Message.InReplyTo);
        Assert.Equal([customerId.Trim('<', '>'), first.Message.MessageId!, answerId.Trim('<', '>')], second.Message.References);
    }

    [Fact]
    public async Task A_reply_queued_while_the_smtp_server_is_down_is_sent_once_when_it_is_back()
    {
        var ticketId = await OpenTicketAsync(CustomerMail("Outage", $"<{Guid.NewGuid():N}@customer.example>", "Hello?"));
        await fixture.Sink.StopAsync();
        long replyId;
        try
        {
            using var reply = await _agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "Answer during the outage" });
            Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
            replyId = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            // Retried, with the reason visible to agents, and still queued.
            var retrying = await Poll.UntilAsync(
                () => TicketApi.MessageAsync(_agent, ticketId, replyId),
                m => m.GetProperty("error").ValueKind == JsonValueKind.String,
                TimeSpan.FromSeconds(20),
                "a failed attempt recorded");
            Assert.Equal("queued", retrying.GetProperty("deliveryStatus").GetString());
            Assert.Contains("could not be reached", retrying.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await fixture.Sink.StartAsync();
        }

        await TicketApi.WaitForDeliveryAsync(_agent, ticketId, replyId, "sent", TimeSpan.FromSeconds(30));
        var delivered = SinkMessage.LoadAll(fixture.Sink).Where(m => m.Message.TextBody?.Contains("Answer during the outage", StringComparison.Ordinal) == true).ToList();
        Assert.Single(delivered);
    }

    [Fact]
    public async Task A_chat_reply_the_visitor_never_saw_is_emailed_and_the_email_answer_continues_the_ticket_by_email()
    {
        using var visitor = fixture.Host.CreateClient();
        var email = $"gone.{Guid.NewGuid():N}@customer.example";
        using var chat = await visitor.PostAsJsonAsync("/tickets?channel=chat", new { name = "Gus", email, message = "Do you deliver on Sundays?" });
        var ticketId = (await chat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        using var reply = await _agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "Yes, between 10 and 4." });
        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
        var copy = await Poll.UntilAsync(
            () => Task.FromResult(SinkMessage.LoadAll(fixture.Sink).FirstOrDefault(m => m.EnvelopeRecipients.Contains(email))),
            m => m is not null,
            TimeSpan.FromSeconds(20),
            "the email copy of the unseen chat reply") ?? throw new InvalidOperationException();
        Assert.Equal($"Re: Website chat with Gus [#{ticketId}]", copy.Message.Subject);
        Assert.Contains("Yes, between 10 and 4.", copy.Message.TextBody, StringComparison.Ordinal);

        // The customer answers the email: it joins the chat's ticket, and the next reply goes back by email.
        var answerId = $"<{Guid.NewGuid():N}@customer.example>";
        using var answer = await PostWebhookAsync(Encoding.UTF8.GetBytes(
            $"From: Gus <{email}>\r\nTo: support@shop.example\r\nSubject: Re: Website chat with Gus [#{ticketId}]\r\nMessage-ID: {answerId}\r\nIn-Reply-To: <{copy.Message.MessageId}>\r\n\r\nGreat, Sunday then.\r\n"));
        Assert.Equal(ticketId, (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        var byEmail = await ReplyAndWaitAsync(ticketId, "Booked for Sunday.");
        Assert.Equal([email], byEmail.EnvelopeRecipients);
        Assert.Equal(answerId.Trim('<', '>'), byEmail.Message.InReplyTo);
    }

    [Fact]
    public async Task A_chat_reply_the_widget_received_is_not_emailed()
    {
        using var visitor = fixture.Host.CreateClient();
        var email = $"here.{Guid.NewGuid():N}@customer.example";
        using var chat = await visitor.PostAsJsonAsync("/tickets?channel=chat", new { name = "Hana", email, message = "Quick question" });
        var receipt = await chat.Content.ReadFromJsonAsync<JsonElement>();
        var ticketId = receipt.GetProperty("id").GetInt64();
        using var reply = await _agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "Quick answer" });
        var replyId = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        using var transcript = new HttpRequestMessage(HttpMethod.Get, $"/chat/conversations/{receipt.GetProperty("conversationId").GetString()}/messages");
        transcript.Headers.Authorization = new AuthenticationHeaderValue("Bearer", receipt.GetProperty("visitorToken").GetString());
        using var seen = await visitor.SendAsync(transcript);
        Assert.Contains("Quick answer", await seen.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await TicketApi.WaitForDeliveryAsync(_agent, ticketId, replyId, "delivered");

        // A control visitor answered just after, who never looks: once their copy is out, this one's was due too.
        var control = $"control.{Guid.NewGuid():N}@customer.example";
        using var controlChat = await visitor.PostAsJsonAsync("/tickets?channel=chat", new { name = "Cody", email = control, message = "Me too" });
        var controlTicket = (await controlChat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        using var controlReply = await _agent.PostAsJsonAsync($"/tickets/{controlTicket}/replies", new { text = "Answer for Cody" });
        await Poll.UntilAsync(
            () => Task.FromResult(SinkMessage.LoadAll(fixture.Sink).Any(m => m.EnvelopeRecipients.Contains(control))),
            sent => sent,
            TimeSpan.FromSeconds(20),
            "the control visitor's email copy");
        Assert.DoesNotContain(SinkMessage.LoadAll(fixture.Sink), m => m.EnvelopeRecipients.Contains(email));
        var messages = (await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}")).GetProperty("messages").EnumerateArray();
        Assert.DoesNotContain(messages, m => m.GetProperty("channel").GetString() == "email");
    }

    [Fact]
    public async Task An_agent_attaches_files_to_a_reply_and_the_mail_carries_them_as_parts_with_their_bytes()
    {
        var ticketId = await OpenTicketAsync(CustomerMail("Need the invoice", $"<{Guid.NewGuid():N}@customer.example>", "Please send the invoice."));
        var pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n% invoice 1042\n%%EOF\n");
        var csv = Encoding.UTF8.GetBytes("item;price\nLamp;24.90\n");

        using var form = new MultipartFormDataContent
        {
            { new StringContent("Here is your invoice and the item list."), "text" },
            { File(pdf, "application/pdf"), "files", "invoice-1042.pdf" },
            { File(csv, "text/csv"), "files", "items.csv" },
        };
        using var reply = await _agent.PostAsync($"/tickets/{ticketId}/replies", form);
        Assert.True(reply.StatusCode == HttpStatusCode.Accepted, await reply.Content.ReadAsStringAsync());
        var queued = await reply.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["invoice-1042.pdf", "items.csv"], queued.GetProperty("attachments").EnumerateArray().Select(a => a.GetProperty("fileName").GetString()));

        var sent = await TicketApi.WaitForDeliveryAsync(_agent, ticketId, queued.GetProperty("id").GetInt64(), "sent");
        var mail = await Poll.UntilAsync(
            () => Task.FromResult(SinkMessage.LoadAll(fixture.Sink).FirstOrDefault(m => m.Message.MessageId == sent.GetProperty("externalMessageId").GetString())),
            m => m is not null, TimeSpan.FromSeconds(10), "the reply with files in smtp-sink");
        var parts = mail!.Message.Attachments.OfType<MimePart>().ToDictionary(p => p.FileName ?? "", p => p);
        Assert.Equal(pdf, Decode(parts["invoice-1042.pdf"]));
        Assert.Equal(csv, Decode(parts["items.csv"]));
        Assert.Equal("application/pdf", parts["invoice-1042.pdf"].ContentType.MimeType);
        Assert.Contains("Here is your invoice", mail.Message.TextBody, StringComparison.Ordinal);

        // The agent's copy downloads from the ticket like the customer's files do.
        var stored = sent.GetProperty("attachments").EnumerateArray().Single(a => a.GetProperty("fileName").GetString() == "items.csv");
        Assert.Equal(csv, await _agent.GetByteArrayAsync(stored.GetProperty("url").GetString()));
    }

    [Fact]
    public async Task Reply_uploads_over_the_limits_or_with_fields_after_files_are_refused_and_nothing_is_queued()
    {
        var ticketId = await OpenTicketAsync(CustomerMail("Limits", $"<{Guid.NewGuid():N}@customer.example>", "Hello"));
        var before = (await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}")).GetProperty("messages").GetArrayLength();

        using var tooMany = new MultipartFormDataContent { { new StringContent("Many"), "text" } };
        for (var i = 0; i < 11; i++)
        {
            tooMany.Add(File([1, 2, 3], "application/octet-stream"), "files", $"f{i}.bin");
        }

        using var fieldsLast = new MultipartFormDataContent { { File([1], "application/octet-stream"), "files", "a.bin" }, { new StringContent("Late text"), "text" } };
        using var noBoundary = new ByteArrayContent("x"u8.ToArray());
        noBoundary.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data");
        using var empty = new MultipartFormDataContent { { new StringContent(""), "text" } };

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await _agent.PostAsync($"/tickets/{ticketId}/replies", tooMany)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _agent.PostAsync($"/tickets/{ticketId}/replies", fieldsLast)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _agent.PostAsync($"/tickets/{ticketId}/replies", noBoundary)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _agent.PostAsync($"/tickets/{ticketId}/replies", empty)).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await _agent.PostAsync($"/tickets/{ticketId}/replies", new StringContent("text=hi", Encoding.UTF8, "application/x-www-form-urlencoded"))).StatusCode);
        Assert.Equal(before, (await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}")).GetProperty("messages").GetArrayLength());
    }

    private static ByteArrayContent File(byte[] bytes, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        return content;
    }

    private static byte[] Decode(MimePart part)
    {
        using var buffer = new MemoryStream();
        part.Content!.DecodeTo(buffer);
        return buffer.ToArray();
    }

    private async Task<SinkMessage> ReplyAndWaitAsync(long ticketId, string text, string[]? cc = null)
    {
        using var reply = cc is null
            ? await _agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text })
            : await _agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text, cc });
        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
        var id = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var sent = await TicketApi.WaitForDeliveryAsync(_agent, ticketId, id, "sent");
        var messageId = sent.GetProperty("externalMessageId").GetString();
        return await Poll.UntilAsync(
            () => Task.FromResult(SinkMessage.LoadAll(fixture.Sink).FirstOrDefault(m => m.Message.MessageId == messageId)),
            m => m is not null,
            TimeSpan.FromSeconds(10),
            $"the reply {messageId} in smtp-sink") ?? throw new InvalidOperationException();
    }

    private async Task<long> OpenTicketAsync(byte[] mail)
    {
        using var response = await PostWebhookAsync(mail);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private async Task<HttpResponseMessage> PostWebhookAsync(byte[] raw)
    {
        using var client = fixture.Host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=email") { Content = new ByteArrayContent(raw) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        request.Headers.Add("X-Crm-Secret", EmailReplyFixture.Secret);
        return await client.SendAsync(request);
    }

    private static byte[] CustomerMail(string subject, string messageId, string body, string? inReplyTo = null, string? references = null, string? cc = null)
    {
        var mail = new StringBuilder()
            .Append("From: Bea Buyer <buyer@customer.example>\r\nTo: support@shop.example\r\n")
            .Append(cc is null ? "" : $"Cc: {cc}\r\n")
            .Append("Subject: ").Append(subject).Append("\r\nMessage-ID: ").Append(messageId).Append("\r\nDate: ")
            .Append(DateTimeOffset.UtcNow.ToString("r", System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n");
        if (inReplyTo is not null)
        {
            mail.Append("In-Reply-To: ").Append(inReplyTo).Append("\r\n");
        }

        if (references is not null)
        {
            mail.Append("References: ").Append(references).Append("\r\n");
        }

        mail.Append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n").Append(body).Append("\r\n");
        return Encoding.UTF8.GetBytes(mail.ToString());
    }
}

/// <summary>A reply the SMTP server refuses for good is failed with the server's words, and not retried.</summary>
public sealed class EmailReplyRefusalTests : IAsyncLifetime
{
    private const string AgentKey = "agent-key-email-refusal";
    private ScriptedSmtpServer _smtp = null!;
    private HostProcess _host = null!;

    public async Task InitializeAsync()
    {
        _smtp = new ScriptedSmtpServer(recipient => recipient.StartsWith("gone@", StringComparison.Ordinal));
        _host = await HostProcess.StartAsync(new Dictionary<string, string?>
        {
            [$"Crm:ApiKeys:{AgentKey}"] = "Agent",
            ["Crm:Email:InboundSecret"] = EmailReplyFixture.Secret,
            ["Crm:Smtp:Host"] = "127.0.0.1",
            ["Crm:Smtp:Port"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Crm:Outbox:RetryDelay"] = "00:00:00.100",
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task A_5xx_answer_marks_the_reply_failed_with_the_servers_words()
    {
        using var client = _host.CreateClient();
        using var agent = _host.CreateClient(AgentKey);
        var raw = Encoding.UTF8.GetBytes($"From: gone@customer.example\r\nTo: support@shop.example\r\nSubject: Hi\r\nMessage-ID: <{Guid.NewGuid():N}@customer.example>\r\n\r\nHello\r\n");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=email") { Content = new ByteArrayContent(raw) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        request.Headers.Add("X-Crm-Secret", EmailReplyFixture.Secret);
        using var created = await client.SendAsync(request);
        var ticketId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        using var reply = await agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "Hello back" });
        var id = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var failed = await TicketApi.WaitForDeliveryAsync(agent, ticketId, id, "failed");
        Assert.Contains("550", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(_smtp.Accepted);
        // Not retried: over many retry delays (100 ms here) the server is asked exactly once.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Single(_smtp.Refused, r => r.StartsWith("gone@", StringComparison.Ordinal));
    }
}
