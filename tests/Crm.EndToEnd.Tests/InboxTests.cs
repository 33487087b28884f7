using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Testing;
using MimeKit;

namespace Crm.EndToEnd.Tests;

/// <summary>Two inboxes, each with its own SMTP server (an smtp-sink each), signature and aliases; billing also polls an IMAP mailbox.</summary>
public sealed class InboxFixture : IAsyncLifetime
{
    public const string Secret = "relay-secret-for-inboxes-0123";
    public const string AgentKey = "agent-key-for-the-inbox-tests";

    public SmtpSink SupportSink { get; private set; } = null!;

    public SmtpSink BillingSink { get; private set; } = null!;

    public DovecotServer Dovecot { get; private set; } = null!;

    public HostProcess Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        try
        {
            SupportSink = await SmtpSink.StartAsync();
            BillingSink = await SmtpSink.StartAsync();
            Dovecot = await DovecotServer.CreateAsync();
            Host = await HostProcess.StartAsync(new Dictionary<string, string?>
            {
                [$"Crm:ApiKeys:{AgentKey}"] = "Agent",
                ["Crm:Email:InboundSecret"] = Secret,
                ["Crm:Email:DefaultInbox"] = "support",
                ["Crm:Email:Inboxes:support:Address"] = "support@shop.example",
                ["Crm:Email:Inboxes:support:DisplayName"] = "Shop Support",
                ["Crm:Email:Inboxes:support:Signature"] = "{{ agent.name }} for {{ inbox.name }}\nShop GmbH, Berlin",
                ["Crm:Email:Inboxes:support:Smtp:Host"] = "127.0.0.1",
                ["Crm:Email:Inboxes:support:Smtp:Port"] = SupportSink.Port.ToString(CultureInfo.InvariantCulture),
                ["Crm:Email:Inboxes:billing:Address"] = "billing@shop.example",
                ["Crm:Email:Inboxes:billing:Addresses:0"] = "invoices@shop.example",
                ["Crm:Email:Inboxes:billing:DisplayName"] = "Shop Billing",
                ["Crm:Email:Inboxes:billing:Signature"] = "{{ inbox.name | upcase }} <{{ inbox.address }}>\nRegistered office: Hamburg, HRB 1234",
                ["Crm:Email:Inboxes:billing:Smtp:Host"] = "127.0.0.1",
                ["Crm:Email:Inboxes:billing:Smtp:Port"] = BillingSink.Port.ToString(CultureInfo.InvariantCulture),
                ["Crm:Email:Inboxes:billing:Imap:Host"] = "127.0.0.1",
                ["Crm:Email:Inboxes:billing:Imap:Port"] = Dovecot.Port.ToString(CultureInfo.InvariantCulture),
                ["Crm:Email:Inboxes:billing:Imap:Security"] = "None",
                ["Crm:Email:Inboxes:billing:Imap:UserName"] = DovecotServer.UserName,
                ["Crm:Email:Inboxes:billing:Imap:Password"] = DovecotServer.Password,
                ["Crm:Email:Inboxes:billing:Imap:PollInterval"] = "00:00:01",
                ["Crm:Outbox:RetryDelay"] = "00:00:00.300",
                ["Crm:Outbox:MaxRetryDelay"] = "00:00:01",
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

        if (BillingSink is not null)
        {
            await BillingSink.DisposeAsync();
        }

        if (SupportSink is not null)
        {
            await SupportSink.DisposeAsync();
        }
    }
}

/// <summary>
/// Several inboxes through the sample host: a ticket remembers the inbox its first mail came to and is answered from it
/// (From, signature, SMTP server); an agent starts a conversation from an inbox and the customer's answer threads back.
/// </summary>
public sealed class InboxTests(InboxFixture fixture) : IClassFixture<InboxFixture>, IDisposable
{
    private readonly HttpClient _agent = fixture.Host.CreateClient(InboxFixture.AgentKey);

    public void Dispose() => _agent.Dispose();

    [Fact]
    public async Task Mail_to_each_inbox_is_answered_from_that_inbox_with_its_own_signature_and_server()
    {
        var toSupport = await OpenTicketAsync(CustomerMail("support@shop.example", "Parcel late", "Where is it?"));
        // An alias of billing, with a colleague in Cc: the reply goes out from billing's own address and keeps the Cc.
        var toBilling = await OpenTicketAsync(CustomerMail("Invoices <invoices@shop.example>", "Invoice 7", "Wrong VAT id", cc: "carl@customer.example"));
        Assert.Equal("support", await InboxOfAsync(toSupport));
        Assert.Equal("billing", await InboxOfAsync(toBilling));

        var supportReply = await ReplyAndWaitAsync(toSupport, "On its way.", fixture.SupportSink);
        var billingReply = await ReplyAndWaitAsync(toBilling, "Corrected.", fixture.BillingSink);

        var author = await AuthorOfLastMessageAsync(toSupport);
        Assert.Equal(new MailboxAddress("Shop Support", "support@shop.example"), supportReply.Message.From.Mailboxes.Single(), MailboxComparer.Instance);
        Assert.EndsWith($"-- \n{author} for Shop Support\nShop GmbH, Berlin", supportReply.Message.TextBody!.ReplaceLineEndings("\n").TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(new MailboxAddress("Shop Billing", "billing@shop.example"), billingReply.Message.From.Mailboxes.Single(), MailboxComparer.Instance);
        Assert.EndsWith("-- \nSHOP BILLING <billing@shop.example>\nRegistered office: Hamburg, HRB 1234", billingReply.Message.TextBody!.ReplaceLineEndings("\n").TrimEnd(), StringComparison.Ordinal);
        Assert.Contains("Registered office: Hamburg", billingReply.Message.HtmlBody, StringComparison.Ordinal);
        Assert.Equal(["carl@customer.example"], billingReply.Message.Cc.Mailboxes.Select(m => m.Address));
        Assert.EndsWith("@shop.example", billingReply.Message.MessageId, StringComparison.Ordinal);

        // Each server carried only its own inbox's mail.
        Assert.DoesNotContain(SinkMessage.LoadAll(fixture.SupportSink), m => m.Message.From.Mailboxes.Any(f => f.Address == "billing@shop.example"));
        Assert.DoesNotContain(SinkMessage.LoadAll(fixture.BillingSink), m => m.Message.From.Mailboxes.Any(f => f.Address == "support@shop.example"));
    }

    [Fact]
    public async Task The_envelope_recipient_decides_before_the_headers_and_mail_naming_none_of_ours_is_its_mailboxs()
    {
        // Delivered-To (the receiving server's word) names billing; To names a list and Cc names support.
        var viaList = await OpenTicketAsync(CustomerMail("team@lists.customer.example", "Dunning letter", "Please stop", cc: "support@shop.example", deliveredTo: "billing@shop.example"));
        Assert.Equal("billing", await InboxOfAsync(viaList));

        // Forwarded into billing's IMAP mailbox, naming none of our addresses: the mailbox's inbox.
        var subject = $"Forwarded {Guid.NewGuid():N}";
        await fixture.Dovecot.DeliverAsync(CustomerMail("someone@elsewhere.example", subject, "See below"));
        var ticket = await Poll.UntilAsync(
            async () => (await TicketApi.AllTicketsAsync(_agent, "email")).FirstOrDefault(t => t.GetProperty("subject").GetString() == subject),
            t => t.ValueKind == JsonValueKind.Object,
            TimeSpan.FromSeconds(20),
            "the forwarded mail as a ticket");
        Assert.Equal("billing", ticket.GetProperty("inbox").GetString());

        // A relay route per inbox: the inbox of mail naming none of ours; an unknown route is refused, nothing stored.
        var routed = await OpenTicketAsync(CustomerMail("someone@elsewhere.example", "Routed", "Via the billing route"), "?channel=email&inbox=billing");
        Assert.Equal("billing", await InboxOfAsync(routed));
        var named = await OpenTicketAsync(CustomerMail("support@shop.example", "Named", "To support, via the billing route"), "?channel=email&inbox=billing");
        Assert.Equal("support", await InboxOfAsync(named));
        var before = (await TicketApi.AllTicketsAsync(_agent, "email")).Count;
        using (var unknown = await PostWebhookAsync(CustomerMail("someone@elsewhere.example", "Unknown route", "Hello"), "?channel=email&inbox=sales"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        }

        Assert.Equal(before, (await TicketApi.AllTicketsAsync(_agent, "email")).Count);

        // Naming none of ours through the webhook: no inbox, answered from the default inbox (Crm:Email:DefaultInbox).
        var nowhere = await OpenTicketAsync(CustomerMail("someone@elsewhere.example", "Stray", "Hello?"));
        Assert.Equal(JsonValueKind.Null, (await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{nowhere}")).GetProperty("inbox").ValueKind);
        var reply = await ReplyAndWaitAsync(nowhere, "Hello!", fixture.SupportSink);
        Assert.Equal("support@shop.example", reply.Message.From.Mailboxes.Single().Address);
    }

    [Fact]
    public async Task A_chat_reply_carries_no_signature()
    {
        using var visitor = fixture.Host.CreateClient();
        using var opened = await visitor.PostAsJsonAsync("/tickets?channel=chat", new { name = "Vic", email = "vic@customer.example", message = "Hi, quick question" });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var receipt = await opened.Content.ReadFromJsonAsync<JsonElement>();
        var ticketId = receipt.GetProperty("id").GetInt64();

        using var reply = await _agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "Sure, ask away." });
        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);

        // What the visitor's widget shows is the agent's text, and nothing of an inbox's signature.
        var transcript = await Poll.UntilAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/chat/conversations/{receipt.GetProperty("conversationId").GetString()}/messages");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", receipt.GetProperty("visitorToken").GetString());
                using var response = await visitor.SendAsync(request);
                return (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
            },
            list => list.Count == 2,
            TimeSpan.FromSeconds(10),
            "the agent's reply in the transcript");
        Assert.Equal("Sure, ask away.", transcript[1].GetProperty("text").GetString());
        Assert.Equal("Sure, ask away.", (await TicketApi.MessageAsync(_agent, ticketId, transcript[1].GetProperty("id").GetInt64())).GetProperty("text").GetString());
    }

    [Fact]
    public async Task An_agent_started_email_goes_out_from_its_inbox_and_the_answer_threads_back()
    {
        var customer = $"new.{Guid.NewGuid():N}@customer.example";
        using var started = await _agent.PostAsJsonAsync("/tickets/outbound", new { inbox = "billing", to = customer.ToUpperInvariant(), cc = new[] { "Accounts@Customer.example", "billing@shop.example" }, subject = "Your open invoice", text = "Invoice 99 is still open." });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var ticket = await started.Content.ReadFromJsonAsync<JsonElement>();
        var ticketId = ticket.GetProperty("id").GetInt64();
        Assert.Equal($"/tickets/{ticketId}", started.Headers.Location?.OriginalString);
        Assert.Equal("billing", ticket.GetProperty("inbox").GetString());
        Assert.Equal("pending", ticket.GetProperty("status").GetString());
        Assert.Equal(customer, ticket.GetProperty("contact").GetProperty("email").GetString());
        Assert.Equal(["accounts@customer.example"], ticket.GetProperty("cc").EnumerateArray().Select(a => a.GetString()));
        var first = ticket.GetProperty("messages").EnumerateArray().Single();
        Assert.Equal("outbound", first.GetProperty("direction").GetString());

        var sent = await TicketApi.WaitForDeliveryAsync(_agent, ticketId, first.GetProperty("id").GetInt64(), "sent");
        var messageId = sent.GetProperty("externalMessageId").GetString();
        var mail = await Poll.UntilAsync(
            () => Task.FromResult(SinkMessage.LoadAll(fixture.BillingSink).FirstOrDefault(m => m.Message.MessageId == messageId)),
            m => m is not null,
            TimeSpan.FromSeconds(10),
            "the agent's first mail in billing's smtp-sink");
        Assert.Equal($"Your open invoice [#{ticketId}]", mail!.Message.Subject);
        Assert.Equal("billing@shop.example", mail.Message.From.Mailboxes.Single().Address);
        Assert.Equal(customer, mail.Message.To.Mailboxes.Single().Address);
        Assert.Equal(["accounts@customer.example"], mail.Message.Cc.Mailboxes.Select(m => m.Address));
        Assert.Null(mail.Message.InReplyTo);
        Assert.Contains("Registered office: Hamburg", mail.Message.TextBody, StringComparison.Ordinal);

        // The customer answers: their mail joins the ticket, which goes back to the agents.
        using var answer = await PostWebhookAsync(CustomerMail("billing@shop.example", $"Re: {mail.Message.Subject}", "Paid today.", from: customer, inReplyTo: $"<{messageId}>"));
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        Assert.Equal(ticketId, (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        var after = await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}");
        Assert.Equal("open", after.GetProperty("status").GetString());
        Assert.Equal(["outbound", "inbound"], after.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("direction").GetString()));

        // And the agent's answer to it is a reply, from billing, threaded on the customer's mail.
        var reply = await ReplyAndWaitAsync(ticketId, "Thank you!", fixture.BillingSink);
        Assert.Equal($"Re: Your open invoice [#{ticketId}]", reply.Message.Subject);
        Assert.Contains(messageId!, reply.Message.References);
    }

    [Fact]
    public async Task A_bad_outbound_request_gets_a_problem_and_creates_nothing()
    {
        var before = (await TicketApi.AllTicketsAsync(_agent, "email")).Count;
        var bad = new object[]
        {
            new { inbox = "sales", to = "a@customer.example", subject = "Hi", text = "Hello" },
            new { inbox = "billing", to = "not-an-address", subject = "Hi", text = "Hello" },
            new { inbox = "billing", to = "support@shop.example", subject = "Hi", text = "Hello" },
            new { inbox = "billing", to = "a@customer.example", subject = "", text = "Hello" },
            new { inbox = "billing", to = "a@customer.example", subject = "Two\r\nBcc: victim@example.org", text = "Hello" },
            new { inbox = "billing", to = "a@customer.example", subject = new string('s', 201), text = "Hello" },
            new { inbox = "billing", to = "a@customer.example", subject = "Hi", text = " " },
            new { inbox = "billing", to = "a@customer.example", subject = "Hi", text = new string('t', 4097) },
            new { inbox = "billing", to = "a@customer.example", subject = "Hi", text = "Hello", cc = new[] { "nope" } },
        };
        foreach (var body in bad)
        {
            using var response = await _agent.PostAsJsonAsync("/tickets/outbound", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        using (var malformed = await _agent.PostAsync("/tickets/outbound", new StringContent("{\"to\":", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        }

        using (var form = await _agent.PostAsync("/tickets/outbound", new StringContent("to=a@customer.example", Encoding.UTF8, "application/x-www-form-urlencoded")))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        }

        using (var huge = await _agent.PostAsync("/tickets/outbound", new StringContent($"{{\"text\":\"{new string('x', 300 * 1024)}\"}}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        }

        using (var anonymous = fixture.Host.CreateClient())
        using (var unauthorised = await anonymous.PostAsJsonAsync("/tickets/outbound", new { inbox = "billing", to = "a@customer.example", subject = "Hi", text = "Hello" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorised.StatusCode);
        }

        Assert.Equal(before, (await TicketApi.AllTicketsAsync(_agent, "email")).Count);
    }

    private async Task<string?> InboxOfAsync(long ticketId) => (await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}")).GetProperty("inbox").GetString();

    private async Task<string?> AuthorOfLastMessageAsync(long ticketId) =>
        (await _agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}")).GetProperty("messages").EnumerateArray().Last().GetProperty("author").GetString();

    private async Task<SinkMessage> ReplyAndWaitAsync(long ticketId, string text, SmtpSink sink)
    {
        using var reply = await _agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text });
        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
        var id = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var sent = await TicketApi.WaitForDeliveryAsync(_agent, ticketId, id, "sent");
        var messageId = sent.GetProperty("externalMessageId").GetString();
        return await Poll.UntilAsync(
            () => Task.FromResult(SinkMessage.LoadAll(sink).FirstOrDefault(m => m.Message.MessageId == messageId)),
            m => m is not null,
            TimeSpan.FromSeconds(10),
            $"the reply {messageId} in its inbox's smtp-sink") ?? throw new InvalidOperationException();
    }

    private async Task<long> OpenTicketAsync(byte[] mail, string query = "?channel=email")
    {
        using var response = await PostWebhookAsync(mail, query);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private async Task<HttpResponseMessage> PostWebhookAsync(byte[] raw, string query = "?channel=email")
    {
        using var client = fixture.Host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets" + query) { Content = new ByteArrayContent(raw) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        request.Headers.Add("X-Crm-Secret", InboxFixture.Secret);
        return await client.SendAsync(request);
    }

    private static byte[] CustomerMail(string to, string subject, string body, string? cc = null, string? deliveredTo = null, string from = "buyer@customer.example", string? inReplyTo = null)
    {
        var mail = new StringBuilder()
            .Append(deliveredTo is null ? "" : $"Delivered-To: {deliveredTo}\r\n")
            .Append($"From: Bea Buyer <{from}>\r\nTo: {to}\r\n")
            .Append(cc is null ? "" : $"Cc: {cc}\r\n")
            .Append(inReplyTo is null ? "" : $"In-Reply-To: {inReplyTo}\r\n")
            .Append("Subject: ").Append(subject).Append($"\r\nMessage-ID: <{Guid.NewGuid():N}@customer.example>\r\nDate: ")
            .Append(DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture)).Append("\r\n")
            .Append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n").Append(body).Append("\r\n");
        return Encoding.UTF8.GetBytes(mail.ToString());
    }

    /// <summary>Compares display name and address, which <see cref="MailboxAddress"/>'s own equality does not.</summary>
    private sealed class MailboxComparer : IEqualityComparer<MailboxAddress>
    {
        public static MailboxComparer Instance { get; } = new();

        public bool Equals(MailboxAddress? x, MailboxAddress? y) => x?.Name == y?.Name && string.Equals(x?.Address, y?.Address, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode(MailboxAddress obj) => obj.Address.GetHashCode(StringComparison.OrdinalIgnoreCase);
    }
}
