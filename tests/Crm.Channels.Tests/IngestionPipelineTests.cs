using Crm.Channels.Ingestion;
using Crm.Channels.Storage;
using Crm.Channels.Tickets;
using Crm.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Crm.Channels.Tests;

public sealed class IngestionPipelineTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));

    private IngestionPipeline CreatePipeline(ITicketStore store, params ITicketEventHandler[] handlers)
        => new(store, (ITicketContactStore)store, handlers, _clock, Options.Create(new IngestionOptions()), NullLogger<IngestionPipeline>.Instance);

    private static InboundMessage Chat(string text, string email = "ann@example.com", string? conversationKey = null, string? id = null) => new()
    {
        Channel = "chat",
        ExternalMessageId = id ?? Guid.NewGuid().ToString("N"),
        Sender = new SenderIdentity(Email: email, Name: "Ann"),
        Text = text,
        Thread = new ThreadHints { ConversationKey = conversationKey },
    };

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task Files_beyond_the_tickets_attachment_limit_are_recorded_not_kept_and_the_message_is_stored(string storeKind)
    {
        await using var handle = await TicketStores.CreateAsync(storeKind);
        var pipeline = new IngestionPipeline(handle.Store, (ITicketContactStore)handle.Store, [], _clock, Options.Create(new IngestionOptions()),
            Options.Create(new Crm.Channels.Attachments.AttachmentOptions { MaxTicketBytes = 5000 }), NullLogger<IngestionPipeline>.Instance);
        static AttachmentInfo File(string name, long size) => new(name, "application/pdf", size) { StorageKey = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name))) };

        var first = await pipeline.IngestAsync(Chat("First file") with { Attachments = [File("a.pdf", 3000)] }, CancellationToken.None);
        var second = await pipeline.IngestAsync(Chat("Two more", conversationKey: first.Ticket.ConversationKey) with { Attachments = [File("b.pdf", 1500), File("c.pdf", 1500)] }, CancellationToken.None);

        Assert.Equal(IngestionOutcome.MessageAppended, second.Outcome);
        var files = second.Message.Attachments;
        Assert.Equal(("b.pdf", true, (string?)null), (files[0].FileName, files[0].StorageKey is not null, files[0].NotKept));
        Assert.Equal(("c.pdf", (string?)null), (files[1].FileName, files[1].StorageKey));
        Assert.Contains("ticket's attachment limit", files[1].NotKept, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task A_first_message_opens_a_ticket_for_a_new_lower_cased_contact(string storeKind)
    {
        await using var handle = await TicketStores.CreateAsync(storeKind);
        var pipeline = CreatePipeline(handle.Store);

        var result = await pipeline.IngestAsync(Chat("Where is my order?", email: "Ann@Example.COM"), CancellationToken.None);

        Assert.Equal(IngestionOutcome.TicketCreated, result.Outcome);
        Assert.Equal(TicketStatus.Open, result.Ticket.Status);
        Assert.Equal(32, result.Ticket.ConversationKey.Length);
        var details = await handle.Store.GetTicketDetailsAsync(result.Ticket.Id, CancellationToken.None);
        Assert.NotNull(details);
        Assert.Equal("ann@example.com", details.Contact?.Email);
        Assert.Equal("Where is my order?", Assert.Single(details.Messages).Text);
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task A_second_account_on_one_channel_with_a_verified_known_address_is_the_same_contact_and_keeps_the_first_id(string storeKind)
    {
        await using var handle = await TicketStores.CreateAsync(storeKind);
        var store = handle.Store;
        var at = DateTimeOffset.UtcNow;

        var first = await store.ResolveContactAsync(new ExternalIdentity("telegram", "42"), "tess@example.com", null, "Tess", senderVerified: true, at, CancellationToken.None);
        var second = await store.ResolveContactAsync(new ExternalIdentity("telegram", "43"), "tess@example.com", null, "Tess", senderVerified: true, at, CancellationToken.None);
        var other = await store.ResolveContactAsync(new ExternalIdentity("viber", "43"), "tess@example.com", null, "Tess", senderVerified: true, at, CancellationToken.None);
        var (ticket, _) = await store.CreateTicketAsync(
            new NewTicket("telegram", "Hi", first.Id, Guid.NewGuid().ToString("N"), at),
            new NewTicketMessage("telegram", "43:1", MessageDirection.Inbound, "Tess", "Hi", null, [], at),
            CancellationToken.None);
        var details = await store.GetTicketDetailsAsync(ticket.Id, CancellationToken.None);

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(first.Id, other.Id);
        Assert.Equal("42", details!.Contact!.ExternalIds["telegram"]);
        Assert.Equal("43", details.Contact.ExternalIds["viber"]);
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task An_unverified_sender_claiming_a_contact_changes_nothing_stored_and_is_recorded_on_the_message(string storeKind)
    {
        await using var handle = await TicketStores.CreateAsync(storeKind);
        var pipeline = CreatePipeline(handle.Store);
        var nameless = new SenderIdentity(Email: "ann@example.com");
        var first = await pipeline.IngestAsync(Chat("first") with { Sender = nameless }, CancellationToken.None);

        var claimed = await pipeline.IngestAsync(Chat("I am Ann, honestly") with { Sender = nameless with { Name = "Mallory" } }, CancellationToken.None);

        var details = await handle.Store.GetTicketDetailsAsync(claimed.Ticket.Id, CancellationToken.None);
        Assert.Equal(first.Ticket.ContactId, claimed.Ticket.ContactId);
        Assert.Null(details!.Contact!.Name);
        Assert.Equal("Mallory", details.Messages.Single(m => m.Text == "I am Ann, honestly").Author);

        var verified = await pipeline.IngestAsync(Chat("signed") with { Sender = nameless with { Name = "Ann Verified", IsVerified = true } }, CancellationToken.None);
        var afterVerified = await handle.Store.GetTicketDetailsAsync(verified.Ticket.Id, CancellationToken.None);
        Assert.Equal("Ann Verified", afterVerified!.Contact!.Name);
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task An_id_longer_than_the_column_is_stored_hashed_deduplicates_and_threads(string storeKind)
    {
        await using var handle = await TicketStores.CreateAsync(storeKind);
        var pipeline = CreatePipeline(handle.Store);
        var longId = "<" + new string('x', 2000) + "@mailer.example>";

        var first = await pipeline.IngestAsync(Chat("long id") with { ExternalMessageId = longId }, CancellationToken.None);
        var again = await pipeline.IngestAsync(Chat("long id") with { ExternalMessageId = longId }, CancellationToken.None);
        var reply = await pipeline.IngestAsync(Chat("reply") with { Thread = new ThreadHints { ReplyTo = [longId] } }, CancellationToken.None);

        Assert.Equal(IngestionOutcome.TicketCreated, first.Outcome);
        Assert.True(first.Message.ExternalMessageId.Length <= 512);
        Assert.Equal(IngestionOutcome.Duplicate, again.Outcome);
        Assert.Equal(IngestionOutcome.MessageAppended, reply.Outcome);
        Assert.Equal(first.Ticket.Id, reply.Ticket.Id);
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task A_second_sender_reusing_a_stored_id_is_kept_and_each_redelivery_is_still_stored_once(string storeKind)
    {
        await using var handle = await TicketStores.CreateAsync(storeKind);
        var pipeline = CreatePipeline(handle.Store);
        var ann = Chat("from Ann", email: "ann@example.com", id: "<shared@example.com>");
        var bob = Chat("from Bob", email: "bob@example.com", id: "<shared@example.com>") with { Sender = new SenderIdentity(Email: "bob@example.com", Name: "Bob") };

        var fromAnn = await pipeline.IngestAsync(ann, CancellationToken.None);
        var fromBob = await pipeline.IngestAsync(bob, CancellationToken.None);
        var annAgain = await pipeline.IngestAsync(ann, CancellationToken.None);
        var bobAgain = await pipeline.IngestAsync(bob, CancellationToken.None);

        Assert.Equal(IngestionOutcome.TicketCreated, fromAnn.Outcome);
        Assert.Equal(IngestionOutcome.TicketCreated, fromBob.Outcome);
        Assert.NotEqual(fromAnn.Ticket.Id, fromBob.Ticket.Id);
        Assert.Equal("from Bob", fromBob.Message.Text);
        Assert.Equal(IngestionOutcome.Duplicate, annAgain.Outcome);
        Assert.Equal(fromAnn.Message.Id, annAgain.Message.Id);
        Assert.Equal(IngestionOutcome.Duplicate, bobAgain.Outcome);
        Assert.Equal(fromBob.Message.Id, bobAgain.Message.Id);
    }

    [Theory]
    [InlineData("\u200B\u200C\u200D")]
    [InlineData("\u2060\uFEFF \u00AD")]
    [InlineData("\u3164\u2800")]
    [InlineData("\u202E\u200F\r\n\t")]
    public async Task A_message_of_only_invisible_characters_is_empty(string text)
    {
        var pipeline = CreatePipeline(new InMemoryTicketStore());

        var failure = await Assert.ThrowsAsync<InvalidInboundMessageException>(() => pipeline.IngestAsync(Chat(text), CancellationToken.None));

        Assert.Contains("text", failure.Errors.Keys);
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task The_same_message_delivered_concurrently_is_stored_once(string storeKind)
    {
        await using var handle = await TicketStores.CreateAsync(storeKind);
        var pipeline = CreatePipeline(handle.Store);
        var message = Chat("Hello twice", id: "delivery-1");

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => pipeline.IngestAsync(message, CancellationToken.None))));

        Assert.Single(results, r => r.Outcome == IngestionOutcome.TicketCreated);
        Assert.Equal(15, results.Count(r => r.Outcome == IngestionOutcome.Duplicate));
        Assert.Single(results.Select(r => r.Ticket.Id).Distinct());
        var page = await handle.Store.ListTicketsAsync(new TicketQuery(), CancellationToken.None);
        Assert.Equal(1, page.Total);
        var details = await handle.Store.GetTicketDetailsAsync(page.Items[0].Id, CancellationToken.None);
        Assert.Single(details!.Messages);
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task A_follow_up_with_the_conversation_key_joins_the_same_ticket(string storeKind)
    {
        await using var handle = await TicketStores.CreateAsync(storeKind);
        var pipeline = CreatePipeline(handle.Store);

        var first = await pipeline.IngestAsync(Chat("First"), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var second = await pipeline.IngestAsync(Chat("Second", conversationKey: first.Ticket.ConversationKey), CancellationToken.None);
        var stranger = await pipeline.IngestAsync(Chat("Unrelated", conversationKey: "0123456789abcdef0123456789abcdef"), CancellationToken.None);

        Assert.Equal(IngestionOutcome.MessageAppended, second.Outcome);
        Assert.Equal(first.Ticket.Id, second.Ticket.Id);
        Assert.Equal(IngestionOutcome.TicketCreated, stranger.Outcome);
        var details = await handle.Store.GetTicketDetailsAsync(first.Ticket.Id, CancellationToken.None);
        Assert.Equal(["First", "Second"], details!.Messages.Select(m => m.Text));
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task A_reply_naming_a_stored_message_id_joins_that_ticket(string storeKind)
    {
        await using var handle = await TicketStores.CreateAsync(storeKind);
        var pipeline = CreatePipeline(handle.Store);
        var original = await pipeline.IngestAsync(Email("<a1@mail.example>", "Printer broken"), CancellationToken.None);

        var reply = await pipeline.IngestAsync(Email("<a2@mail.example>", "Re: Printer broken", replyTo: ["<unknown@x>", "<a1@mail.example>"]), CancellationToken.None);

        Assert.Equal(IngestionOutcome.MessageAppended, reply.Outcome);
        Assert.Equal(original.Ticket.Id, reply.Ticket.Id);
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task A_quoted_ticket_number_joins_only_when_the_sender_is_that_tickets_contact(string storeKind)
    {
        await using var handle = await TicketStores.CreateAsync(storeKind);
        var pipeline = CreatePipeline(handle.Store);
        var original = await pipeline.IngestAsync(Email("<b1@mail.example>", "Invoice"), CancellationToken.None);

        var fromContact = await pipeline.IngestAsync(Email("<b2@mail.example>", $"[#{original.Ticket.Id}] Invoice", ticketNumber: original.Ticket.Id), CancellationToken.None);
        var fromStranger = await pipeline.IngestAsync(Email("<b3@mail.example>", $"[#{original.Ticket.Id}] Invoice", ticketNumber: original.Ticket.Id, from: "mallory@example.net"), CancellationToken.None);

        Assert.Equal(original.Ticket.Id, fromContact.Ticket.Id);
        Assert.Equal(IngestionOutcome.TicketCreated, fromStranger.Outcome);
        Assert.NotEqual(original.Ticket.Id, fromStranger.Ticket.Id);
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task A_customer_reply_reopens_a_solved_ticket_but_a_closed_one_starts_a_new_ticket(string storeKind)
    {
        await using var handle = await TicketStores.CreateAsync(storeKind);
        var pipeline = CreatePipeline(handle.Store);
        var first = await pipeline.IngestAsync(Chat("Help"), CancellationToken.None);
        await handle.Store.SetTicketStatusAsync(first.Ticket.Id, TicketStatus.Solved, _clock.GetUtcNow(), CancellationToken.None);

        var reply = await pipeline.IngestAsync(Chat("Still broken", conversationKey: first.Ticket.ConversationKey), CancellationToken.None);

        Assert.Equal(first.Ticket.Id, reply.Ticket.Id);
        Assert.True(reply.Reopened);
        Assert.Equal(TicketStatus.Open, (await handle.Store.FindTicketAsync(first.Ticket.Id, CancellationToken.None))!.Status);

        await handle.Store.SetTicketStatusAsync(first.Ticket.Id, TicketStatus.Closed, _clock.GetUtcNow(), CancellationToken.None);
        var afterClose = await pipeline.IngestAsync(Chat("New problem", conversationKey: first.Ticket.ConversationKey), CancellationToken.None);

        Assert.Equal(IngestionOutcome.TicketCreated, afterClose.Outcome);
        Assert.NotEqual(first.Ticket.Id, afterClose.Ticket.Id);

        // Waiting on the customer (pending) and the customer writes: back to open, and the event says so too.
        await handle.Store.SetTicketStatusAsync(afterClose.Ticket.Id, TicketStatus.Pending, _clock.GetUtcNow(), CancellationToken.None);
        var answer = await pipeline.IngestAsync(Chat("Here is the photo", conversationKey: afterClose.Ticket.ConversationKey), CancellationToken.None);
        Assert.True(answer.Reopened);
        Assert.Equal(TicketStatus.Open, answer.Ticket.Status);
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task Messaging_app_senders_are_matched_by_e164_phone_and_join_their_open_ticket(string storeKind)
    {
        await using var handle = await TicketStores.CreateAsync(storeKind);
        var pipeline = CreatePipeline(handle.Store);

        var first = await pipeline.IngestAsync(Phone("whatsapp:+44 7700 900123", "Hi"), CancellationToken.None);
        var second = await pipeline.IngestAsync(Phone("0044-7700-900123", "Me again"), CancellationToken.None);

        Assert.Equal(first.Ticket.Id, second.Ticket.Id);
        Assert.Equal(first.Ticket.ContactId, second.Ticket.ContactId);
        var details = await handle.Store.GetTicketDetailsAsync(first.Ticket.Id, CancellationToken.None);
        Assert.Equal("+447700900123", details!.Contact?.Phone);
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task The_same_email_on_two_channels_is_one_contact(string storeKind)
    {
        await using var handle = await TicketStores.CreateAsync(storeKind);
        var pipeline = CreatePipeline(handle.Store);

        var chat = await pipeline.IngestAsync(Chat("Via chat", email: "Bob@Example.com"), CancellationToken.None);
        var mail = await pipeline.IngestAsync(Email("<c1@mail.example>", "Via mail", from: "bob@example.COM"), CancellationToken.None);

        Assert.NotEqual(chat.Ticket.Id, mail.Ticket.Id);
        Assert.Equal(chat.Ticket.ContactId, mail.Ticket.ContactId);
    }

    [Fact]
    public async Task The_ingest_span_of_a_refused_message_is_an_error_naming_the_fields()
    {
        using var trace = new SpanRecorder("Crm.Channels", "crm.channels.ingest");
        var pipeline = CreatePipeline(new InMemoryTicketStore());

        await Assert.ThrowsAsync<InvalidInboundMessageException>(() => pipeline.IngestAsync(Chat("", email: "not-an-address"), CancellationToken.None));
        await pipeline.IngestAsync(Chat("Hello"), CancellationToken.None);

        Assert.Collection(
            trace.Spans,
            refused =>
            {
                Assert.Equal("invalid", refused.GetTagItem("crm.outcome"));
                Assert.Equal(System.Diagnostics.ActivityStatusCode.Error, refused.Status);
                Assert.Contains("sender.email", refused.StatusDescription, StringComparison.Ordinal);
            },
            stored =>
            {
                Assert.Equal("ticket_created", stored.GetTagItem("crm.outcome"));
                Assert.Equal(System.Diagnostics.ActivityStatusCode.Unset, stored.Status);
            });
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task An_invalid_message_is_refused_with_field_errors_and_nothing_is_stored(string storeKind)
    {
        await using var handle = await TicketStores.CreateAsync(storeKind);
        var pipeline = CreatePipeline(handle.Store);
        var bad = Chat("", email: "not-an-address") with { Channel = "Chat!" };

        var ex = await Assert.ThrowsAsync<InvalidInboundMessageException>(() => pipeline.IngestAsync(bad, CancellationToken.None));

        Assert.Contains("channel", ex.Errors.Keys);
        Assert.Contains("text", ex.Errors.Keys);
        Assert.Contains("sender.email", ex.Errors.Keys);
        Assert.Equal(0, (await handle.Store.ListTicketsAsync(new TicketQuery(), CancellationToken.None)).Total);
    }

    [Fact]
    public async Task Handlers_hear_about_new_tickets_and_messages_but_not_redeliveries()
    {
        var events = new List<TicketEvent>();
        var handler = new Mock<ITicketEventHandler>();
        handler.Setup(h => h.HandleAsync(It.IsAny<TicketEvent>(), It.IsAny<CancellationToken>()))
            .Callback<TicketEvent, CancellationToken>((e, _) => events.Add(e))
            .Returns(ValueTask.CompletedTask);
        var pipeline = CreatePipeline(new InMemoryTicketStore(), handler.Object);

        var first = await pipeline.IngestAsync(Chat("One", id: "m1"), CancellationToken.None);
        await pipeline.IngestAsync(Chat("One", id: "m1"), CancellationToken.None);
        await pipeline.IngestAsync(Chat("Two", conversationKey: first.Ticket.ConversationKey), CancellationToken.None);

        Assert.Equal([TicketEventKind.TicketCreated, TicketEventKind.MessageAdded], events.Select(e => e.Kind));
        Assert.Equal("Two", events[1].Message.Text);
    }

    [Fact]
    public async Task A_failing_handler_does_not_undo_the_ingestion_or_starve_other_handlers()
    {
        var failing = new Mock<ITicketEventHandler>();
        failing.Setup(h => h.HandleAsync(It.IsAny<TicketEvent>(), It.IsAny<CancellationToken>())).ThrowsAsync(new InvalidOperationException("boom"));
        var healthy = new Mock<ITicketEventHandler>();
        healthy.Setup(h => h.HandleAsync(It.IsAny<TicketEvent>(), It.IsAny<CancellationToken>())).Returns(ValueTask.CompletedTask);
        var store = new InMemoryTicketStore();

        var result = await CreatePipeline(store, failing.Object, healthy.Object).IngestAsync(Chat("Hi"), CancellationToken.None);

        Assert.Equal(IngestionOutcome.TicketCreated, result.Outcome);
        healthy.Verify(h => h.HandleAsync(It.Is<TicketEvent>(e => e.Ticket.Id == result.Ticket.Id), It.IsAny<CancellationToken>()), Times.Once);
        Assert.NotNull(await store.FindTicketAsync(result.Ticket.Id, CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task Two_mails_quoting_the_same_unknown_parent_join_one_ticket_and_a_stranger_quoting_it_joins_as_another_sender(string storeKind)
    {
        await using var handle = await TicketStores.CreateAsync(storeKind);
        var pipeline = CreatePipeline(handle.Store);

        // Both answer a mail the CRM never saw (sent from a colleague's own client, or before the CRM was set up).
        var first = await pipeline.IngestAsync(Email("<a1@example.com>", "Re: the offer", replyTo: ["<offer@example.com>"]), CancellationToken.None);
        var second = await pipeline.IngestAsync(Email("<a2@example.com>", "Re: the offer", replyTo: ["<other@example.com>", "<offer@example.com>"], from: "bob@example.com"), CancellationToken.None);
        var unrelated = await pipeline.IngestAsync(Email("<a3@example.com>", "Re: something else", replyTo: ["<elsewhere@example.com>"]), CancellationToken.None);
        // The id the second mail quoted first is now known too: a third mail quoting only it joins the same ticket.
        var third = await pipeline.IngestAsync(Email("<a4@example.com>", "Re: the offer", replyTo: ["<other@example.com>"]), CancellationToken.None);

        Assert.Equal(IngestionOutcome.TicketCreated, first.Outcome);
        Assert.Equal((IngestionOutcome.MessageAppended, first.Ticket.Id), (second.Outcome, second.Ticket.Id));
        Assert.Equal("bob@example.com", second.Message.OtherSender);
        Assert.NotEqual(first.Ticket.Id, unrelated.Ticket.Id);
        Assert.Equal(first.Ticket.Id, third.Ticket.Id);
        // A chat message can never reach an email ticket through a quoted email id.
        var chat = await pipeline.IngestAsync(Chat("hello") with { Thread = new ThreadHints { ReplyTo = ["<offer@example.com>"] } }, CancellationToken.None);
        Assert.NotEqual(first.Ticket.Id, chat.Ticket.Id);
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task A_ticket_keeps_the_inbox_its_first_mail_came_to_and_later_mail_does_not_move_it(string storeKind)
    {
        await using var handle = await TicketStores.CreateAsync(storeKind);
        var pipeline = CreatePipeline(handle.Store);

        var first = await pipeline.IngestAsync(Email("<i1@example.com>", "Invoice") with { Inbox = "billing" }, CancellationToken.None);
        var answer = await pipeline.IngestAsync(Email("<i2@example.com>", "Re: Invoice", replyTo: ["<i1@example.com>"]) with { Inbox = "support" }, CancellationToken.None);

        Assert.Equal(first.Ticket.Id, answer.Ticket.Id);
        Assert.Equal("billing", (await handle.Store.FindTicketAsync(first.Ticket.Id, CancellationToken.None))!.Inbox);
        Assert.Equal("billing", (await handle.Store.GetTicketDetailsAsync(first.Ticket.Id, CancellationToken.None))!.Ticket.Inbox);
        Assert.Null((await pipeline.IngestAsync(Chat("hi"), CancellationToken.None)).Ticket.Inbox);
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("x'; DROP TABLE tickets; --")]
    public async Task An_adapters_inbox_that_is_no_inbox_name_is_refused(string inbox)
    {
        var pipeline = CreatePipeline(new InMemoryTicketStore());

        var error = await Assert.ThrowsAsync<InvalidInboundMessageException>(() => pipeline.IngestAsync(Email("<bad@example.com>", "Hi") with { Inbox = inbox }, CancellationToken.None));

        Assert.Contains("inbox", error.Errors.Keys);
    }

    private static InboundMessage Email(string messageId, string subject, IReadOnlyList<string>? replyTo = null, long? ticketNumber = null, string from = "ann@example.com") => new()
    {
        Channel = "email",
        ExternalMessageId = messageId,
        Sender = new SenderIdentity(Email: from),
        Subject = subject,
        Text = "Body of " + subject,
        Thread = new ThreadHints { ReplyTo = replyTo ?? [], TicketNumber = ticketNumber },
    };

    private static InboundMessage Phone(string phone, string text) => new()
    {
        Channel = "whatsapp",
        ExternalMessageId = Guid.NewGuid().ToString("N"),
        Sender = new SenderIdentity(Phone: phone, Name: "Carla"),
        Text = text,
        Thread = new ThreadHints { JoinOpenTicketOfSender = true },
    };

    [Fact]
    public async Task Metrics_tag_outcomes_in_lower_snake_case()
    {
        var seen = new List<string>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Crm.Channels" && instrument.Name == "crm.channels.messages.ingested")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        // Other tests ingest in parallel: only this test's channel counts.
        const string channel = "metrics-only";
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? outcome = null;
            var ours = false;
            foreach (var tag in tags)
            {
                outcome = tag.Key == "crm.outcome" ? (string?)tag.Value : outcome;
                ours |= tag.Key == "crm.channel" && (string?)tag.Value == channel;
            }

            if (ours)
            {
                lock (seen)
                {
                    seen.Add(outcome!);
                }
            }
        });
        listener.Start();
        var pipeline = CreatePipeline(new InMemoryTicketStore());
        var message = Chat("metrics", id: "metrics-" + Guid.NewGuid().ToString("N")) with { Channel = channel };

        var created = await pipeline.IngestAsync(message, CancellationToken.None);
        await pipeline.IngestAsync(message, CancellationToken.None);
        await pipeline.IngestAsync(Chat("more", conversationKey: created.Ticket.ConversationKey) with { Channel = channel }, CancellationToken.None);

        lock (seen)
        {
            Assert.Equal(["ticket_created", "duplicate", "message_appended"], seen);
        }
    }
}
