using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Testing;

namespace Crm.EndToEnd.Tests;

/// <summary>A real Dovecot and the host polling it; the webhook is on too.</summary>
public sealed class EmailHostFixture : IAsyncLifetime
{
    public const string Secret = "relay-secret-0123456789";
    public const string AgentKey = "agent-key-email-intake";
    public const string ManagerKey = "manager-key-email";

    public DovecotServer Dovecot { get; private set; } = null!;

    public HostProcess Host { get; private set; } = null!;

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("crm-email-host-").FullName;

    public Dictionary<string, string?> Settings => new()
    {
        [$"Crm:ApiKeys:{AgentKey}"] = "Agent",
        [$"Crm:ApiKeys:{ManagerKey}"] = "Manager",
        ["Crm:Email:InboundSecret"] = Secret,
        ["Crm:Email:MaxMessageBytes"] = "200000",
        ["Crm:Imap:Host"] = "127.0.0.1",
        ["Crm:Imap:Port"] = Dovecot.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Crm:Imap:Security"] = "None",
        ["Crm:Imap:UserName"] = DovecotServer.UserName,
        ["Crm:Imap:Password"] = DovecotServer.Password,
        ["Crm:Imap:PollInterval"] = "00:00:01",
        ["Crm:Imap:MaxReconnectDelay"] = "00:00:01",
    };

    public async Task InitializeAsync()
    {
        try
        {
            Dovecot = await DovecotServer.CreateAsync();
            Host = await HostProcess.StartAsync(Settings, DataDirectory);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Restarts the host on the same database (the poller starts from its stored checkpoint).</summary>
    public async Task RestartHostAsync()
    {
        await Host.DisposeAsync();
        Host = await HostProcess.StartAsync(Settings, DataDirectory);
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

        HostProcess.TryDeleteDirectory(DataDirectory);
    }
}

public sealed class EmailIntakeTests(EmailHostFixture fixture) : IDisposable, IClassFixture<EmailHostFixture>
{
    private HttpClient? _agent;

    // Created on first use: a test may restart the host, and a client is bound to the host's address.
    private HttpClient Agent => _agent ??= fixture.Host.CreateClient(EmailHostFixture.AgentKey);

    public void Dispose() => _agent?.Dispose();

    [Fact]
    public async Task New_mail_becomes_a_ticket_and_replies_by_reference_or_subject_tag_join_it()
    {
        var key = Unique();
        await fixture.Dovecot.DeliverAsync(Mail($"<first.{key}@example.com>", $"Printer {key} broken", from: $"ann.{key}@example.com"));
        var ticket = await WaitForTicketAsync(key);
        Assert.Equal("email", ticket.GetProperty("channel").GetString());
        var id = ticket.GetProperty("id").GetInt64();

        await fixture.Dovecot.DeliverAsync(Mail($"<second.{key}@example.com>", $"Re: Printer {key} broken", from: $"ann.{key}@example.com", extraHeaders: $"In-Reply-To: <first.{key}@example.com>\r\nReferences: <first.{key}@example.com>\r\n"));
        await fixture.Dovecot.DeliverAsync(Mail($"<third.{key}@example.com>", $"[#{id}] one more thing", from: $"ann.{key}@example.com"));
        await fixture.Dovecot.DeliverAsync(Mail($"<fourth.{key}@example.com>", $"[#{id}] I am someone else", from: $"mallory.{key}@example.com"));

        var details = await WaitForMessagesAsync(id, 3);
        Assert.Equal([$"first.{key}@example.com", $"second.{key}@example.com", $"third.{key}@example.com"], details.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("externalMessageId").GetString()));
        Assert.NotEqual(id, (await WaitForTicketAsync("I am someone else")).GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task A_colleague_answering_the_thread_joins_it_shown_as_another_sender_and_never_becomes_the_contact()
    {
        var key = Unique();
        using (var first = await PostWebhookAsync(Mail($"<cc-first.{key}@example.com>", $"Invoice {key} wrong", from: $"ann.{key}@example.com", extraHeaders: $"Cc: bob.{key}@example.com\r\n")))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        var ticket = await WaitForTicketAsync(key);
        var id = ticket.GetProperty("id").GetInt64();
        using (var colleague = await PostWebhookAsync(Mail($"<cc-second.{key}@example.com>", $"Re: Invoice {key} wrong", from: $"bob.{key}@example.com", extraHeaders: $"In-Reply-To: <cc-first.{key}@example.com>\r\n")))
        {
            Assert.Equal(HttpStatusCode.Created, colleague.StatusCode);
        }

        var details = await WaitForMessagesAsync(id, 2);
        var messages = details.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(JsonValueKind.Null, messages[0].GetProperty("otherSender").ValueKind);
        Assert.Equal($"bob.{key}@example.com", messages[1].GetProperty("otherSender").GetString());
        Assert.Equal($"ann.{key}@example.com", details.GetProperty("contact").GetProperty("email").GetString());
    }

    [Fact]
    public async Task An_auto_reply_opens_no_ticket()
    {
        var key = Unique();
        await fixture.Dovecot.DeliverAsync(Mail($"<ooo.{key}@example.com>", $"Out of office {key}", extraHeaders: "Auto-Submitted: auto-replied\r\n"));
        await fixture.Dovecot.DeliverAsync(Mail($"<after.{key}@example.com>", $"Real question {key}"));

        await WaitForTicketAsync($"Real question {key}");
        Assert.Null(await FindTicketAsync($"Out of office {key}"));
    }

    [Fact]
    public async Task A_mailto_unsubscribe_through_the_mailbox_unsubscribes_that_recipient_opens_no_ticket_and_a_forged_one_is_a_ticket()
    {
        var key = Unique();
        using var manager = fixture.Host.CreateClient(EmailHostFixture.ManagerKey);
        var api = new CampaignApi(manager);
        await api.ImportAsync(new[] { "leaver", "stayer" }.Select(name => new { email = $"{name}.{key}@example.com", tags = new[] { key } }));
        var id = await api.CreateAsync(new { subject = $"Mailto {key}", body = "<p>Hello</p>", segment = new { tags = new[] { key } } });
        await api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(30));
        var listUnsubscribe = OutboxMessages($"Mailto {key}")[$"leaver.{key}@example.com"].Headers["List-Unsubscribe"]!;
        var mailto = new Uri(System.Text.RegularExpressions.Regex.Match(listUnsubscribe, "<(mailto:[^>]+)>").Groups[1].Value);
        var subject = Uri.UnescapeDataString(mailto.Query.TrimStart('?')["subject=".Length..]);

        // What a mailbox provider or a mail client sends for the mailto: link, through the polled mailbox.
        await fixture.Dovecot.DeliverAsync(Mail($"<leave.{key}@example.com>", subject, from: $"leaver.{key}@example.com"));
        // The same shape with a forged token, through the webhook: a person's message, not an unsubscribe.
        using var forged = await PostWebhookAsync(Mail($"<forged.{key}@example.com>", System.Text.RegularExpressions.Regex.Replace(subject, @"\.[A-Za-z0-9_-]+$", ".AAAAAAAAAAAAAAAAAAAAAA"), from: $"stayer.{key}@example.com"));
        Assert.Equal(HttpStatusCode.Created, forged.StatusCode);

        var campaign = await api.WaitForAsync(id, c => c.GetProperty("unsubscribeCount").GetInt32() == 1, TimeSpan.FromSeconds(30));
        var statuses = (await manager.GetFromJsonAsync<JsonElement>($"/contacts?tag={key}")).GetProperty("items").EnumerateArray()
            .ToDictionary(c => c.GetProperty("email").GetString()!, c => c.GetProperty("marketingStatus").GetString());
        Assert.Equal("unsubscribed", statuses[$"leaver.{key}@example.com"]);
        Assert.Equal("subscribed", statuses[$"stayer.{key}@example.com"]);
        Assert.Equal(1, campaign.GetProperty("unsubscribeCount").GetInt32());
        var tickets = (await Agent.GetFromJsonAsync<JsonElement>("/tickets?channel=email&pageSize=200")).GetProperty("items").EnumerateArray()
            .Select(t => t.GetProperty("subject").GetString() ?? "").Where(t => t.StartsWith($"unsubscribe {id} ", StringComparison.Ordinal)).ToList();
        Assert.Single(tickets);
    }

    [Fact]
    public async Task A_bounce_tied_to_campaign_mail_suppresses_that_recipient_and_a_forged_one_changes_nothing_but_is_shown()
    {
        var key = Unique();
        using var manager = fixture.Host.CreateClient(EmailHostFixture.ManagerKey);
        var api = new CampaignApi(manager);
        await api.ImportAsync(new[] { "verp", "quoted", "forged", "tampered" }.Select(name => new { email = $"{name}.{key}@example.com", tags = new[] { key } }));
        var first = await api.CreateAsync(new { subject = $"News {key}", body = "<p>Hello</p>", segment = new { tags = new[] { key } } });
        await api.WaitForStatusAsync(first, "completed", TimeSpan.FromSeconds(30));
        var sent = OutboxMessages(key);
        var verp = sent[$"verp.{key}@example.com"];
        var quoted = sent[$"quoted.{key}@example.com"];
        var tampered = sent[$"tampered.{key}@example.com"];
        var verpAddress = verp.Headers[MimeKit.HeaderId.ReturnPath]!.Trim('<', '>', ' ');
        Assert.StartsWith("bounces+", verpAddress, StringComparison.Ordinal);
        Assert.StartsWith("crm.", quoted.MessageId, StringComparison.Ordinal);

        // Tied by the VERP address it was delivered to; tied by the quoted Message-ID; not tied at all; tied to a forged signature.
        await fixture.Dovecot.DeliverAsync(Crlf(TestMails.BounceReport($"verp.{key}@example.com", to: verpAddress)));
        await fixture.Dovecot.DeliverAsync(Crlf(TestMails.BounceReport($"quoted.{key}@example.com", returnedMessageId: quoted.MessageId)));
        await fixture.Dovecot.DeliverAsync(Crlf(TestMails.BounceReport($"forged.{key}@example.com", subject: $"Delivery failure {key}")));
        var forgedSignature = tampered.Headers[MimeKit.HeaderId.ReturnPath]!.Trim('<', '>', ' ').Replace("@", "x@", StringComparison.Ordinal);
        await fixture.Dovecot.DeliverAsync(Crlf(TestMails.BounceReport($"tampered.{key}@example.com", to: forgedSignature, subject: $"Tampered failure {key}")));

        await WaitForTicketAsync($"Tampered failure {key}");
        var statuses = (await manager.GetFromJsonAsync<JsonElement>($"/contacts?tag={key}")).GetProperty("items").EnumerateArray()
            .ToDictionary(c => c.GetProperty("email").GetString()!, c => c.GetProperty("marketingStatus").GetString());
        Assert.Equal("bounced", statuses[$"verp.{key}@example.com"]);
        Assert.Equal("bounced", statuses[$"quoted.{key}@example.com"]);
        Assert.Equal("subscribed", statuses[$"forged.{key}@example.com"]);
        Assert.Equal("subscribed", statuses[$"tampered.{key}@example.com"]);
        Assert.NotNull(await FindTicketAsync($"Delivery failure {key}"));

        var second = await api.CreateAsync(new { subject = $"More news {key}", body = "<p>Again</p>", segment = new { tags = new[] { key } } });
        await api.WaitForStatusAsync(second, "completed", TimeSpan.FromSeconds(30));
        var secondRecipients = OutboxMessages($"More news {key}").Keys.Order();
        Assert.Equal([$"forged.{key}@example.com", $"tampered.{key}@example.com"], secondRecipients);

        // A manager who knows the address works again lifts the bounce; the change is audited with their name.
        var verpId = (await manager.GetFromJsonAsync<JsonElement>($"/contacts?tag={key}")).GetProperty("items").EnumerateArray()
            .Single(c => c.GetProperty("email").GetString() == $"verp.{key}@example.com").GetProperty("id").GetInt64();
        using var cleared = await manager.PatchAsJsonAsync($"/contacts/{verpId}", new { marketingStatus = "subscribed" });
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.Equal("subscribed", (await cleared.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("marketingStatus").GetString());
        await fixture.Host.WaitForOutputAsync($"AUDIT: contact {verpId} (verp.{key}@example.com) suppression 'bounced' cleared by api-key:Manager", TimeSpan.FromSeconds(10));

        Assert.Contains($"AUDIT: contact {verpId} (verp.{key}@example.com) suppression 'bounced' cleared by api-key:Manager", fixture.Host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Encoded_subjects_and_bodies_decode_and_read_mail_is_still_taken()
    {
        var key = Unique();
        var raw = Encoding.Latin1.GetBytes($"""
            From: =?ISO-8859-1?Q?J=FCrgen?= <juergen.{key}@example.de>
            To: support@shop.example
            Subject: =?ISO-8859-1?Q?Besch=E4digt_{key}?=
            Message-ID: <latin.{key}@example.de>
            MIME-Version: 1.0
            Content-Type: text/plain; charset=ISO-8859-1
            Content-Transfer-Encoding: quoted-printable

            Die Lieferung ist besch=E4digt, Gr=FC=DFe.
            """.ReplaceLineEndings("\r\n"));

        await fixture.Dovecot.DeliverAsync(raw, seen: true);

        var ticket = await WaitForTicketAsync($"Beschädigt {key}");
        var details = await Agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticket.GetProperty("id").GetInt64()}");
        Assert.Contains("Die Lieferung ist beschädigt, Grüße.", details.GetProperty("messages")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("Jürgen", details.GetProperty("messages")[0].GetProperty("author").GetString());
    }

    [Fact]
    public async Task A_junk_message_does_not_block_the_next_ones()
    {
        var key = Unique();
        await fixture.Dovecot.DeliverAsync(Encoding.ASCII.GetBytes($"Subject: junk {key} with no sender\r\n\r\n\u0001\u0002 garbage\r\n"));
        await fixture.Dovecot.DeliverAsync(Mail($"<after-junk.{key}@example.com>", $"After junk {key}"));

        await WaitForTicketAsync($"After junk {key}");
        Assert.Null(await FindTicketAsync($"junk {key} with no sender"));

        // Not lost: kept in the quarantine with the mailbox, the reason and the original, and an agent can make it a ticket.
        var entry = await WaitForQuarantinedAsync($"junk {key} with no sender");
        Assert.StartsWith("imap:", entry.GetProperty("source").GetString(), StringComparison.Ordinal);
        Assert.Contains("no sender", entry.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var raw = await Agent.GetByteArrayAsync(entry.GetProperty("rawUrl").GetString());
        Assert.Contains($"junk {key} with no sender", Encoding.ASCII.GetString(raw), StringComparison.Ordinal);

        using var made = await Agent.PostAsJsonAsync($"/tickets/quarantine/{entry.GetProperty("id").GetInt64()}/ticket", new { email = $"found.{key}@example.com" });
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        var ticket = await made.Content.ReadFromJsonAsync<JsonElement>();
        var details = await Agent.GetFromJsonAsync<JsonElement>(made.Headers.Location);
        Assert.Equal(ticket.GetProperty("id").GetInt64(), details.GetProperty("id").GetInt64());
        Assert.Equal($"junk {key} with no sender", details.GetProperty("subject").GetString());
        Assert.Contains("garbage", details.GetProperty("messages")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreadable_mail_at_the_webhook_is_quarantined_with_202_and_an_agent_makes_it_a_ticket_or_deletes_it()
    {
        var key = Unique();
        var noSender = Encoding.ASCII.GetBytes($"To: support@shop.example\r\nSubject: Nobody {key}\r\nMessage-ID: <nobody.{key}@example.com>\r\n\r\nPlease call me back.\r\n");
        var junk = Encoding.ASCII.GetBytes($"this is not an email at all {key}");

        using var kept = await PostWebhookAsync(noSender);
        using var keptJunk = await PostWebhookAsync(junk);

        // 202: the relay must not retry or bounce it; the body names the quarantine entry.
        Assert.Equal(HttpStatusCode.Accepted, kept.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, keptJunk.StatusCode);
        var receipt = await kept.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(receipt.GetProperty("stored").GetBoolean());
        var id = receipt.GetProperty("quarantined").GetInt64();
        var junkId = (await keptJunk.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("quarantined").GetInt64();

        var entry = (await Agent.GetFromJsonAsync<JsonElement>("/tickets/quarantine")).EnumerateArray().Single(e => e.GetProperty("id").GetInt64() == id);
        Assert.Equal("webhook", entry.GetProperty("source").GetString());
        Assert.Equal($"Nobody {key}", entry.GetProperty("subject").GetString());
        Assert.Equal(noSender.Length, entry.GetProperty("size").GetInt64());
        using (var raw = await Agent.GetAsync(entry.GetProperty("rawUrl").GetString()))
        {
            Assert.Equal(noSender, await raw.Content.ReadAsByteArrayAsync());
            Assert.Equal("message/rfc822", raw.Content.Headers.ContentType?.MediaType);
            Assert.Equal("attachment", raw.Content.Headers.ContentDisposition?.DispositionType);
        }

        // Customer data: agents only.
        using (var anonymous = fixture.Host.CreateClient())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/tickets/quarantine")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync($"/tickets/quarantine/{id}/ticket", new { email = "x@example.com" })).StatusCode);
        }

        // The mail names nobody: an address is needed, and a bad one is refused; nothing changes.
        using var withoutAddress = await Agent.PostAsJsonAsync($"/tickets/quarantine/{id}/ticket", new { });
        using var badAddress = await Agent.PostAsJsonAsync($"/tickets/quarantine/{id}/ticket", new { email = "not an address" });
        Assert.Equal(HttpStatusCode.BadRequest, withoutAddress.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badAddress.StatusCode);
        Assert.Contains("email", (await withoutAddress.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name));

        using var made = await Agent.PostAsJsonAsync($"/tickets/quarantine/{id}/ticket", new { email = $"caller.{key}@example.com" });
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        var details = await Agent.GetFromJsonAsync<JsonElement>(made.Headers.Location);
        Assert.Equal($"Nobody {key}", details.GetProperty("subject").GetString());
        Assert.Contains("Please call me back.", details.GetProperty("messages")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Agent.PostAsJsonAsync($"/tickets/quarantine/{id}/ticket", new { email = $"caller.{key}@example.com" })).StatusCode);

        // Mail nothing can read becomes a ticket whose attachment is the original.
        using var fromJunk = await Agent.PostAsJsonAsync($"/tickets/quarantine/{junkId}/ticket", new { email = $"junk.{key}@example.com" });
        Assert.Equal(HttpStatusCode.Created, fromJunk.StatusCode);
        var junkTicket = await Agent.GetFromJsonAsync<JsonElement>(fromJunk.Headers.Location);
        var original = junkTicket.GetProperty("messages")[0].GetProperty("attachments").EnumerateArray().Single();
        Assert.Equal(junk, await Agent.GetByteArrayAsync(original.GetProperty("url").GetString()));

        using var another = await PostWebhookAsync(noSender);
        var anotherId = (await another.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("quarantined").GetInt64();
        Assert.Equal(HttpStatusCode.NoContent, (await Agent.DeleteAsync($"/tickets/quarantine/{anotherId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Agent.DeleteAsync($"/tickets/quarantine/{anotherId}")).StatusCode);
        Assert.DoesNotContain((await Agent.GetFromJsonAsync<JsonElement>("/tickets/quarantine")).EnumerateArray(), e => e.GetProperty("id").GetInt64() is var q && (q == anotherId || q == id));
    }

    [Fact]
    public async Task A_mail_with_too_many_parts_is_quarantined_with_the_reason_and_does_not_block_the_next_ones()
    {
        var key = Unique();
        await fixture.Dovecot.DeliverAsync(TestMails.ManyParts(2_000, $"Parts bomb {key}"));
        await fixture.Dovecot.DeliverAsync(Mail($"<after-bomb.{key}@example.com>", $"After bomb {key}"));

        await WaitForTicketAsync($"After bomb {key}");
        Assert.Null(await FindTicketAsync($"Parts bomb {key}"));

        // Kept for an agent, with the reason and the mail as it came: read back from the quarantine, not a log line.
        var entry = await WaitForQuarantinedAsync($"Parts bomb {key}");
        Assert.Contains("more than 500 MIME parts", entry.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("imap:", entry.GetProperty("source").GetString(), StringComparison.Ordinal);
        var raw = await Agent.GetByteArrayAsync(entry.GetProperty("rawUrl").GetString());
        Assert.Contains($"Parts bomb {key}", Encoding.ASCII.GetString(raw), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mail_over_the_size_limit_is_recorded_by_its_size_left_in_the_mailbox_and_does_not_block_the_next_ones()
    {
        var key = Unique();
        await fixture.Dovecot.DeliverAsync(Mail($"<huge.{key}@example.com>", $"Huge {key}", body: new string('x', 300_000)));
        await fixture.Dovecot.DeliverAsync(Mail($"<after-huge.{key}@example.com>", $"After huge {key}"));

        await WaitForTicketAsync($"After huge {key}");
        var entry = await Poll.UntilAsync(
            async () => (await Agent.GetFromJsonAsync<JsonElement>("/tickets/quarantine")).EnumerateArray()
                .Where(e => e.GetProperty("reason").GetString()!.Contains("larger than 200000 bytes", StringComparison.Ordinal) && e.GetProperty("size").GetInt64() > 300_000).ToList(),
            list => list.Count > 0, TimeSpan.FromSeconds(30), "the oversized mail in the quarantine");
        Assert.Null(await FindTicketAsync($"Huge {key}"));
        Assert.StartsWith("imap:", entry[^1].GetProperty("source").GetString(), StringComparison.Ordinal);
        // Not read, so not kept: the mail stays where it is, for a person with a mail client.
        Assert.Equal(JsonValueKind.Null, entry[^1].GetProperty("rawUrl").ValueKind);
        using var imap = new MailKit.Net.Imap.ImapClient();
        await imap.ConnectAsync("127.0.0.1", fixture.Dovecot.Port, MailKit.Security.SecureSocketOptions.None);
        await imap.AuthenticateAsync(DovecotServer.UserName, DovecotServer.Password);
        await imap.Inbox.OpenAsync(MailKit.FolderAccess.ReadOnly);
        Assert.Single(await imap.Inbox.SearchAsync(MailKit.Search.SearchQuery.SubjectContains($"Huge {key}").And(MailKit.Search.SearchQuery.Not(MailKit.Search.SearchQuery.SubjectContains("After")))));
        await imap.DisconnectAsync(true);
    }

    [Fact]
    public async Task The_webhook_refuses_a_mail_with_too_many_parts_or_too_deep_with_413_and_stores_nothing()
    {
        var key = Unique();

        using var many = await PostWebhookAsync(TestMails.ManyParts(2_000, $"Webhook bomb {key}"));
        using var deep = await PostWebhookAsync(TestMails.DeeplyNested(60, $"Webhook bomb {key}"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, many.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, deep.StatusCode);
        Assert.Equal("application/problem+json", many.Content.Headers.ContentType?.MediaType);
        Assert.Contains("deeper than 20 levels", await deep.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(await FindTicketAsync($"Webhook bomb {key}"));
    }

    [Fact]
    public async Task Restarting_the_poller_and_redelivering_through_the_webhook_create_no_duplicate()
    {
        var key = Unique();
        var raw = Mail($"<once.{key}@example.com>", $"Only once {key}");
        await fixture.Dovecot.DeliverAsync(raw);
        var ticket = await WaitForTicketAsync($"Only once {key}");

        await fixture.RestartHostAsync();
        _agent?.Dispose();
        _agent = null;
        await fixture.Dovecot.DeliverAsync(Mail($"<marker.{key}@example.com>", $"Marker {key}"));
        await WaitForTicketAsync($"Marker {key}");
        using var webhook = await PostWebhookAsync(raw);

        Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);
        Assert.True((await webhook.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("duplicate").GetBoolean());
        var details = await Agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticket.GetProperty("id").GetInt64()}");
        Assert.Single(details.GetProperty("messages").EnumerateArray());
        var page = await Agent.GetFromJsonAsync<JsonElement>("/tickets?channel=email&pageSize=200");
        Assert.Single(page.GetProperty("items").EnumerateArray(), t => t.GetProperty("subject").GetString() == $"Only once {key}");
    }

    [Fact]
    public async Task Mail_delivered_while_the_server_is_down_is_taken_once_after_it_returns_and_the_poller_noticed_the_outage()
    {
        var key = Unique();
        await fixture.Dovecot.DeliverAsync(Mail($"<before.{key}@example.com>", $"Before outage {key}"));
        var before = await WaitForTicketAsync($"Before outage {key}");
        var lostBefore = CountOccurrences(fixture.Host.Output, "Lost mailbox");

        await fixture.Dovecot.StopAsync();
        await fixture.Host.WaitForOutputAsync(output => CountOccurrences(output, "Lost mailbox") > lostBefore, TimeSpan.FromSeconds(30));
        Assert.True(CountOccurrences(fixture.Host.Output, "Lost mailbox") > lostBefore, $"The poller did not notice the outage:\n{fixture.Host.Output}");
        // The mail system keeps accepting mail while IMAP is down: it lands in the maildir.
        await fixture.Dovecot.DeliverToMaildirAsync(Mail($"<during1.{key}@example.com>", $"During outage one {key}"));
        await fixture.Dovecot.DeliverToMaildirAsync(Mail($"<during2.{key}@example.com>", $"During outage two {key}"));
        await fixture.Dovecot.StartAsync();

        var one = await WaitForTicketAsync($"During outage one {key}");
        var two = await WaitForTicketAsync($"During outage two {key}");
        await fixture.Dovecot.DeliverAsync(Mail($"<after.{key}@example.com>", $"After outage {key}"));
        await WaitForTicketAsync($"After outage {key}");

        var page = await Agent.GetFromJsonAsync<JsonElement>("/tickets?channel=email&pageSize=200");
        var subjects = page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("subject").GetString() ?? "").Where(t => t.Contains(key, StringComparison.Ordinal)).ToList();
        Assert.Equal(4, subjects.Count);
        foreach (var ticket in new[] { before, one, two })
        {
            var details = await Agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticket.GetProperty("id").GetInt64()}");
            Assert.Equal(1, details.GetProperty("messages").GetArrayLength());
        }
    }

    private static int CountOccurrences(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    [Fact]
    public async Task The_webhook_takes_a_raw_message_with_the_secret_as_header_or_basic_password()
    {
        var key = Unique();
        using var withHeader = await PostWebhookAsync(Mail($"<hook1.{key}@example.com>", $"Webhook {key}"));
        Assert.Equal(HttpStatusCode.Created, withHeader.StatusCode);
        Assert.Equal("email", (await withHeader.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("channel").GetString());

        using var client = fixture.Host.CreateClient();
        using var basic = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=email") { Content = RawContent(Mail($"<hook2.{key}@example.com>", $"Basic {key}")) };
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("relay:" + EmailHostFixture.Secret)));
        using var withBasic = await client.SendAsync(basic);
        Assert.Equal(HttpStatusCode.Created, withBasic.StatusCode);

        using var autoReply = await PostWebhookAsync(Mail($"<hook3.{key}@example.com>", $"Away {key}", extraHeaders: "X-Autoreply: yes\r\n"));
        Assert.Equal(HttpStatusCode.Accepted, autoReply.StatusCode);
        Assert.Null(await FindTicketAsync($"Away {key}"));
    }

    [Fact]
    public async Task A_message_id_longer_than_the_column_is_kept_and_a_reply_to_it_threads()
    {
        var key = Unique();
        var longId = $"<{new string('l', 900)}.{key}@example.com>";

        using var first = await PostWebhookAsync(Mail(longId, $"Long id {key}", from: $"long.{key}@example.com"));
        using var again = await PostWebhookAsync(Mail(longId, $"Long id {key}", from: $"long.{key}@example.com"));
        using var reply = await PostWebhookAsync(Mail($"<reply.{key}@example.com>", $"Re: Long id {key}", from: $"long.{key}@example.com", extraHeaders: $"In-Reply-To: {longId}\r\n"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var ticket = await WaitForTicketAsync($"Long id {key}");
        var details = await WaitForMessagesAsync(ticket.GetProperty("id").GetInt64(), 2);
        Assert.Equal(2, details.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task Another_sender_reusing_a_stored_message_id_is_not_dropped()
    {
        var key = Unique();
        var shared = $"<shared.{key}@example.com>";

        using var original = await PostWebhookAsync(Mail(shared, $"Original {key}", from: $"ann.{key}@example.com"));
        using var reused = await PostWebhookAsync(Mail(shared, $"Reused {key}", from: $"bob.{key}@example.com"));

        Assert.Equal(HttpStatusCode.Created, original.StatusCode);
        Assert.Equal(HttpStatusCode.Created, reused.StatusCode);
        Assert.NotNull(await FindTicketAsync($"Original {key}"));
        Assert.NotNull(await FindTicketAsync($"Reused {key}"));
    }

    [Fact]
    public async Task Webhook_refusals_store_nothing()
    {
        var key = Unique();
        using var client = fixture.Host.CreateClient();

        using var noSecret = await client.PostAsync("/tickets?channel=email", RawContent(Mail($"<n1.{key}@example.com>", $"Refused {key}")));
        using var wrongSecret = await PostWebhookAsync(Mail($"<n2.{key}@example.com>", $"Refused {key}"), secret: "wrong-secret-0123456789");
        using var oversized = await PostWebhookAsync(Mail($"<n3.{key}@example.com>", $"Refused {key}", body: new string('x', 300_000)));
        using var wrongType = await PostWebhookAsync(Mail($"<n4.{key}@example.com>", $"Refused {key}"), mediaType: "application/json");

        Assert.Equal(HttpStatusCode.Unauthorized, noSecret.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversized.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        foreach (var response in new[] { noSecret, wrongSecret, oversized, wrongType })
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Null(await FindTicketAsync($"Refused {key}"));
    }

    private async Task<HttpResponseMessage> PostWebhookAsync(byte[] raw, string secret = EmailHostFixture.Secret, string mediaType = "message/rfc822")
    {
        using var client = fixture.Host.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=email") { Content = RawContent(raw, mediaType) };
        request.Headers.Add("X-Crm-Secret", secret);
        return await client.SendAsync(request);
    }

    private static ByteArrayContent RawContent(byte[] raw, string mediaType = "message/rfc822")
    {
        var content = new ByteArrayContent(raw);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private async Task<JsonElement> WaitForTicketAsync(string subjectPart)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (await FindTicketAsync(subjectPart) is { } ticket)
            {
                return ticket;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"No email ticket with '{subjectPart}' appeared.\n{fixture.Host.Output}");
    }

    private async Task<JsonElement> WaitForQuarantinedAsync(string subject) =>
        (await Poll.UntilAsync(
            async () => (await Agent.GetFromJsonAsync<JsonElement>("/tickets/quarantine")).EnumerateArray()
                .Select(e => (JsonElement?)e).FirstOrDefault(e => e!.Value.GetProperty("subject").GetString() == subject),
            found => found is not null, TimeSpan.FromSeconds(30), $"quarantined '{subject}'"))!.Value;

    private async Task<JsonElement?> FindTicketAsync(string subjectPart)
    {
        foreach (var ticket in await TicketApi.AllTicketsAsync(Agent, "email"))
        {
            if (ticket.GetProperty("subject").GetString()?.Contains(subjectPart, StringComparison.Ordinal) == true)
            {
                return ticket;
            }
        }

        return null;
    }

    private async Task<JsonElement> WaitForMessagesAsync(long ticketId, int count)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var details = await Agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}");
            if (details.GetProperty("messages").GetArrayLength() >= count || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                return details;
            }

            await Task.Delay(200);
        }
    }

    private static byte[] Mail(string messageId, string subject, string from = "customer@example.com", string extraHeaders = "", string body = "Hello support.")
        => Encoding.UTF8.GetBytes($"From: {from}\r\nTo: support@shop.example\r\nSubject: {subject}\r\nMessage-ID: {messageId}\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n{extraHeaders}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n");

    private static byte[] Crlf(string mail) => Encoding.ASCII.GetBytes(mail.ReplaceLineEndings("\r\n"));

    /// <summary>The campaign messages in the host's pickup folder whose subject contains <paramref name="subjectPart"/>, by recipient.</summary>
    private Dictionary<string, MimeKit.MimeMessage> OutboxMessages(string subjectPart)
        => Directory.GetFiles(Path.Combine(fixture.DataDirectory, "outbox"), "*.eml")
            .Select(file => MimeKit.MimeMessage.Load(file))
            .Where(m => m.Subject?.Contains(subjectPart, StringComparison.Ordinal) == true)
            .ToDictionary(m => m.To.Mailboxes.Single().Address, m => m);

    private static string Unique() => Guid.NewGuid().ToString("N")[..10];
}
