using Crm.Channels.Ingestion;
using Crm.Channels.Replies;
using Crm.Channels.Storage;
using Crm.Channels.Tickets;
using Crm.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Crm.Channels.Tests;

/// <summary>The reply outbox against every store: claims, retries, failures and events.</summary>
public sealed class ReplyOutboxTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task A_queued_reply_is_claimed_by_one_claimer_until_its_lease_runs_out(string kind)
    {
        await using var handle = await TicketStores.CreateAsync(kind);
        var store = handle.Store;
        var ticket = await CreateTicketAsync(store, "claims@example.com");
        var (_, reply) = await store.AppendMessageAsync(ticket.Id, Reply(ticket, "r1"), TicketStatus.Pending, CancellationToken.None);

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.ClaimDueRepliesAsync(Start, TimeSpan.FromMinutes(2), 10, CancellationToken.None)));
        var again = await store.ClaimDueRepliesAsync(Start.AddMinutes(1), TimeSpan.FromMinutes(2), 10, CancellationToken.None);
        var afterLease = await store.ClaimDueRepliesAsync(Start.AddMinutes(3), TimeSpan.FromMinutes(2), 10, CancellationToken.None);

        var claimed = Assert.Single(claims.SelectMany(c => c));
        Assert.Equal(reply.Id, claimed.Id);
        Assert.Equal(1, claimed.DeliveryAttempts);
        Assert.Empty(again);
        Assert.Equal(2, Assert.Single(afterLease).DeliveryAttempts);
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task A_reply_whose_files_would_pass_the_tickets_attachment_limit_is_refused_and_nothing_is_queued(string kind)
    {
        await using var handle = await TicketStores.CreateAsync(kind);
        var clock = new FakeTimeProvider(Start);
        var (_, replies) = Build(handle.Store, clock, new ChatLikeSender(), new RecordingHandler(), attachments: new Crm.Channels.Attachments.AttachmentOptions { MaxTicketBytes = 4096 });
        var ticket = await CreateTicketAsync(handle.Store, "limit@example.com");
        await handle.Store.AppendMessageAsync(ticket.Id,
            new NewTicketMessage("test", "with-file", MessageDirection.Inbound, "Customer", "Photo", null, [new AttachmentInfo("photo.png", "image/png", 3000) { StorageKey = new string('a', 64) }], Start),
            TicketStatus.Open, CancellationToken.None);

        var (tooMuch, _, reason) = await replies.QueueAsync(ticket.Id, "Here", null, [new AttachmentInfo("big.pdf", "application/pdf", 2000) { StorageKey = new string('b', 64) }], "agent", CancellationToken.None);
        var (fits, _, _) = await replies.QueueAsync(ticket.Id, "Here", null, [new AttachmentInfo("small.pdf", "application/pdf", 1000) { StorageKey = new string('c', 64) }], "agent", CancellationToken.None);

        Assert.Equal(ReplyOutcomeKind.Refused, tooMuch);
        Assert.Contains("limit of 4096 bytes", reason, StringComparison.Ordinal);
        Assert.Equal(ReplyOutcomeKind.Queued, fits);
        Assert.Equal(1, (await handle.Store.GetTicketDetailsAsync(ticket.Id, CancellationToken.None))!.Messages.Count(m => m.Direction == MessageDirection.Outbound));
    }

    /// <summary>A sender that, like chat's, carries files.</summary>
    private sealed class ChatLikeSender : IChannelReplySender
    {
        public string Channel => "test";

        public string? RefuseAttachments(TicketDetails ticket, IReadOnlyList<AttachmentInfo> files) => null;

        public Task<ReplyDelivery> SendAsync(TicketDetails ticket, TicketMessage reply, CancellationToken cancellationToken) => Task.FromResult(new ReplyDelivery());
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task The_next_reply_due_is_a_queued_replys_time_its_lease_end_or_its_retry_and_none_once_sent(string kind)
    {
        await using var handle = await TicketStores.CreateAsync(kind);
        var store = handle.Store;
        Assert.Null(await store.NextReplyDueAsync(CancellationToken.None));
        var ticket = await CreateTicketAsync(store, "next-due@example.com");
        var (_, reply) = await store.AppendMessageAsync(ticket.Id, Reply(ticket, "due1"), TicketStatus.Pending, CancellationToken.None);
        Assert.Equal(reply.ReceivedAt, await store.NextReplyDueAsync(CancellationToken.None));

        Assert.Single(await store.ClaimDueRepliesAsync(Start, TimeSpan.FromMinutes(2), 10, CancellationToken.None));
        Assert.Equal(Start.AddMinutes(2), await store.NextReplyDueAsync(CancellationToken.None));

        await store.RecordReplyAttemptAsync(reply.Id, new ReplyAttemptOutcome(DeliveryStatus.Queued, Error: "421", RetryAt: Start.AddSeconds(30)), CancellationToken.None);
        Assert.Equal(Start.AddSeconds(30), await store.NextReplyDueAsync(CancellationToken.None));

        Assert.Single(await store.ClaimDueRepliesAsync(Start.AddSeconds(31), TimeSpan.FromMinutes(2), 10, CancellationToken.None));
        await store.RecordReplyAttemptAsync(reply.Id, new ReplyAttemptOutcome(DeliveryStatus.Sent), CancellationToken.None);
        Assert.Null(await store.NextReplyDueAsync(CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task A_temporary_failure_is_retried_after_a_backoff_and_then_sent_with_the_transports_id(string kind)
    {
        await using var handle = await TicketStores.CreateAsync(kind);
        var clock = new FakeTimeProvider(Start);
        var sender = new ScriptedSender("test", new ChannelReplyException("421 try later", permanent: false), new ReplyDelivery("transport-id-1"));
        var events = new RecordingHandler();
        var (outbox, replies) = Build(handle.Store, clock, sender, events);
        var ticket = await CreateTicketAsync(handle.Store, "retry@example.com");

        var (_, queued, _) = await replies.QueueAsync(ticket.Id, "Hello", null, [], "agent", CancellationToken.None);
        await outbox.RunOnceAsync(CancellationToken.None);
        var afterFailure = await MessageAsync(handle.Store, ticket.Id, queued!.Id);
        await outbox.RunOnceAsync(CancellationToken.None);
        var notYetDue = sender.Calls;
        clock.Advance(TimeSpan.FromSeconds(10));
        await outbox.RunOnceAsync(CancellationToken.None);
        var sent = await MessageAsync(handle.Store, ticket.Id, queued.Id);

        Assert.Equal(DeliveryStatus.Queued, afterFailure.DeliveryStatus);
        Assert.Equal("421 try later", afterFailure.DeliveryError);
        Assert.Equal(1, notYetDue);
        Assert.Equal(DeliveryStatus.Sent, sent.DeliveryStatus);
        Assert.Equal("transport-id-1", sent.ExternalMessageId);
        Assert.Equal(2, sent.DeliveryAttempts);
        Assert.Equal([TicketEventKind.ReplyQueued, TicketEventKind.ReplySent], events.Kinds);
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task A_transport_id_another_message_already_holds_still_records_the_reply_as_sent_once(string kind)
    {
        // Telegram numbers messages per chat: the reply's id can equal the id an inbound message was stored under.
        await using var handle = await TicketStores.CreateAsync(kind);
        var clock = new FakeTimeProvider(Start);
        var ticket = await CreateTicketAsync(handle.Store, "same-id@example.com");
        var inbound = (await handle.Store.GetTicketDetailsAsync(ticket.Id, CancellationToken.None))!.Messages.Single();
        var sender = new ScriptedSender("test", new ReplyDelivery(inbound.ExternalMessageId), new ReplyDelivery("never-needed"));
        var (outbox, replies) = Build(handle.Store, clock, sender, new RecordingHandler());

        var (_, queued, _) = await replies.QueueAsync(ticket.Id, "Hello", null, [], "agent", CancellationToken.None);
        await outbox.RunOnceAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(10));
        await outbox.RunOnceAsync(CancellationToken.None);
        var sent = await MessageAsync(handle.Store, ticket.Id, queued!.Id);

        Assert.Equal(1, sender.Calls);
        Assert.Equal(DeliveryStatus.Sent, sent.DeliveryStatus);
        Assert.NotEqual(inbound.ExternalMessageId, sent.ExternalMessageId);
        Assert.Equal(inbound.ExternalMessageId, (await MessageAsync(handle.Store, ticket.Id, inbound.Id)).ExternalMessageId);
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task A_permanent_refusal_fails_the_reply_at_once_with_the_transports_words(string kind)
    {
        await using var handle = await TicketStores.CreateAsync(kind);
        var clock = new FakeTimeProvider(Start);
        var sender = new ScriptedSender("test", new ChannelReplyException("550 5.1.1 no such user", permanent: true));
        var events = new RecordingHandler();
        var (outbox, replies) = Build(handle.Store, clock, sender, events);
        var ticket = await CreateTicketAsync(handle.Store, "refused@example.com");

        var (_, queued, _) = await replies.QueueAsync(ticket.Id, "Hello", null, [], "agent", CancellationToken.None);
        await outbox.RunOnceAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromHours(1));
        await outbox.RunOnceAsync(CancellationToken.None);

        var failed = await MessageAsync(handle.Store, ticket.Id, queued!.Id);
        Assert.Equal(DeliveryStatus.Failed, failed.DeliveryStatus);
        Assert.Equal("550 5.1.1 no such user", failed.DeliveryError);
        Assert.Equal(1, sender.Calls);
        Assert.Equal([TicketEventKind.ReplyQueued, TicketEventKind.ReplyFailed], events.Kinds);
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task An_error_of_the_message_itself_fails_the_reply_at_once_while_a_network_error_is_retried(string kind)
    {
        await using var handle = await TicketStores.CreateAsync(kind);
        var clock = new FakeTimeProvider(Start);
        // A file that does not parse as what it claims (MimeKit's ParseException is a FormatException), then an outage.
        var sender = new ScriptedSender("test", new FormatException("Failed to parse message headers."), new IOException("Connection reset"));
        var (outbox, replies) = Build(handle.Store, clock, sender, new RecordingHandler());
        var ticket = await CreateTicketAsync(handle.Store, "unparsable@example.com");

        var (_, broken, _) = await replies.QueueAsync(ticket.Id, "Broken file", null, [], "agent", CancellationToken.None);
        await outbox.RunOnceAsync(CancellationToken.None);
        var (_, delayed, _) = await replies.QueueAsync(ticket.Id, "Network", null, [], "agent", CancellationToken.None);
        await outbox.RunOnceAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromHours(1));
        await outbox.RunOnceAsync(CancellationToken.None);

        var failed = await MessageAsync(handle.Store, ticket.Id, broken!.Id);
        Assert.Equal(DeliveryStatus.Failed, failed.DeliveryStatus);
        Assert.Contains("Failed to parse message headers", failed.DeliveryError, StringComparison.Ordinal);
        Assert.NotEqual(DeliveryStatus.Failed, (await MessageAsync(handle.Store, ticket.Id, delayed!.Id)).DeliveryStatus);
        // Once for the broken reply (never again), twice for the other: the outage, then the retry.
        Assert.Equal(3, sender.Calls);
    }

    [Fact]
    public async Task Each_attempts_span_carries_its_outcome_and_failures_are_marked_as_errors()
    {
        using var trace = new SpanRecorder("Crm.Channels", "crm.channels.reply.send");
        await using var handle = await TicketStores.CreateAsync(TicketStores.InMemory);
        var clock = new FakeTimeProvider(Start);
        var sender = new ScriptedSender("test", new IOException("Connection reset"), new ReplyDelivery("id-1"), new ChannelReplyException("550 5.1.1 no such user", permanent: true));
        var (outbox, replies) = Build(handle.Store, clock, sender, new RecordingHandler());
        var ticket = await CreateTicketAsync(handle.Store, "traced@example.com");

        await replies.QueueAsync(ticket.Id, "First", null, [], "agent", CancellationToken.None);
        await outbox.RunOnceAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromHours(1));
        await outbox.RunOnceAsync(CancellationToken.None);
        await replies.QueueAsync(ticket.Id, "Second", null, [], "agent", CancellationToken.None);
        await outbox.RunOnceAsync(CancellationToken.None);

        var seen = trace.Spans.Select(a => (Outcome: a.GetTagItem("crm.outcome") as string, a.Status, a.StatusDescription)).ToArray();
        Assert.Equal(
            [("retry", System.Diagnostics.ActivityStatusCode.Error, "IOException: Connection reset"), ("sent", System.Diagnostics.ActivityStatusCode.Unset, null), ("failed", System.Diagnostics.ActivityStatusCode.Error, "550 5.1.1 no such user")],
            seen);
    }

    public static TheoryData<string, bool> SenderExceptions() => new()
    {
        // A plain HttpClient where a typed one was meant: HttpClient's own words for a missing BaseAddress.
        { nameof(InvalidOperationException), false },
        { nameof(NullReferenceException), false },
        { nameof(HttpRequestException), true },
        // HttpClient's timeout surfaces as a cancellation the outbox did not ask for.
        { nameof(TaskCanceledException), true },
        { nameof(System.Net.Sockets.SocketException), true },
        { nameof(TimeoutException), true },
    };

    [Theory]
    [MemberData(nameof(SenderExceptions))]
    public async Task A_senders_bug_or_misconfiguration_fails_the_reply_at_once_while_the_networks_errors_are_retried(string exception, bool retried)
    {
        await using var handle = await TicketStores.CreateAsync(TicketStores.InMemory);
        var clock = new FakeTimeProvider(Start);
        Exception thrown = exception switch
        {
            nameof(InvalidOperationException) => new InvalidOperationException("An invalid request URI was provided. Either the request URI must be an absolute URI or BaseAddress must be set."),
            nameof(NullReferenceException) => new NullReferenceException("Object reference not set to an instance of an object."),
            nameof(HttpRequestException) => new HttpRequestException("No such host is known."),
            nameof(TaskCanceledException) => new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing."),
            nameof(System.Net.Sockets.SocketException) => new System.Net.Sockets.SocketException(111),
            _ => new TimeoutException("The operation has timed out."),
        };
        var sender = new ScriptedSender("test", thrown);
        var (outbox, replies) = Build(handle.Store, clock, sender, new RecordingHandler());
        var ticket = await CreateTicketAsync(handle.Store, $"{exception.ToLowerInvariant()}@example.com");

        var (_, queued, _) = await replies.QueueAsync(ticket.Id, "Hello", null, [], "agent", CancellationToken.None);
        await outbox.RunOnceAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromHours(1));
        await outbox.RunOnceAsync(CancellationToken.None);

        var stored = await MessageAsync(handle.Store, ticket.Id, queued!.Id);
        if (retried)
        {
            // The outage, then the retry that went through.
            Assert.Equal(2, sender.Calls);
            Assert.Equal(DeliveryStatus.Sent, stored.DeliveryStatus);
        }
        else
        {
            Assert.Equal(1, sender.Calls);
            Assert.Equal(DeliveryStatus.Failed, stored.DeliveryStatus);
            Assert.Contains(thrown.Message, stored.DeliveryError, StringComparison.Ordinal);
            Assert.StartsWith("The reply cannot be sent: " + exception, stored.DeliveryError, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task A_delivery_report_that_lands_while_the_reply_is_in_flight_is_not_overwritten_by_sent(string kind)
    {
        await using var handle = await TicketStores.CreateAsync(kind);
        var store = handle.Store;
        var ticket = await CreateTicketAsync(store, "race@example.com");
        var (_, reply) = await store.AppendMessageAsync(ticket.Id, Reply(ticket, "race-1"), TicketStatus.Pending, CancellationToken.None);
        await store.ClaimDueRepliesAsync(Start, TimeSpan.FromMinutes(2), 10, CancellationToken.None);

        await store.UpdateDeliveryStatusAsync(reply.Channel, reply.ExternalMessageId, DeliveryStatus.Delivered, null, CancellationToken.None);
        await store.RecordReplyAttemptAsync(reply.Id, new ReplyAttemptOutcome(DeliveryStatus.Sent), CancellationToken.None);

        Assert.Equal(DeliveryStatus.Delivered, (await MessageAsync(store, ticket.Id, reply.Id)).DeliveryStatus);
        Assert.Empty(await store.ClaimDueRepliesAsync(Start.AddHours(1), TimeSpan.FromMinutes(2), 10, CancellationToken.None));
    }

    [Fact]
    public async Task A_reply_that_keeps_failing_temporarily_gives_up_after_the_last_attempt()
    {
        var store = new InMemoryTicketStore();
        var clock = new FakeTimeProvider(Start);
        var sender = new ScriptedSender("test", Enumerable.Repeat<object>(new IOException("connection reset"), 10).ToArray());
        var (outbox, replies) = Build(store, clock, sender, new RecordingHandler(), new ReplyOutboxOptions { MaxAttempts = 3, RetryDelay = TimeSpan.FromSeconds(1) });
        var ticket = await CreateTicketAsync(store, "flaky@example.com");

        var (_, queued, _) = await replies.QueueAsync(ticket.Id, "Hello", null, [], "agent", CancellationToken.None);
        for (var i = 0; i < 5; i++)
        {
            await outbox.RunOnceAsync(CancellationToken.None);
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        var failed = await MessageAsync(store, ticket.Id, queued!.Id);
        Assert.Equal(DeliveryStatus.Failed, failed.DeliveryStatus);
        Assert.StartsWith("Gave up after 3 attempts; last: IOException: connection reset", failed.DeliveryError, StringComparison.Ordinal);
        Assert.Equal(3, sender.Calls);
    }

    [Fact]
    public async Task A_channel_that_refuses_before_queueing_stores_nothing()
    {
        var store = new InMemoryTicketStore();
        var sender = new ScriptedSender("test") { Refusal = "outside the window" };
        var (_, replies) = Build(store, new FakeTimeProvider(Start), sender, new RecordingHandler());
        var ticket = await CreateTicketAsync(store, "window@example.com");

        var (kind, reply, reason) = await replies.QueueAsync(ticket.Id, "Hello", null, [], "agent", CancellationToken.None);

        Assert.Equal(ReplyOutcomeKind.Refused, kind);
        Assert.Null(reply);
        Assert.Equal("outside the window", reason);
        Assert.Single((await store.GetTicketDetailsAsync(ticket.Id, CancellationToken.None))!.Messages);
    }

    [Fact]
    public void Backoff_doubles_per_attempt_within_jitter_and_stops_at_the_cap()
    {
        var settings = new ReplyOutboxOptions { RetryDelay = TimeSpan.FromSeconds(5), MaxRetryDelay = TimeSpan.FromMinutes(1) };

        for (var i = 0; i < 50; i++)
        {
            Assert.InRange(ReplyOutbox.Backoff(1, settings).TotalSeconds, 4, 6);
            Assert.InRange(ReplyOutbox.Backoff(3, settings).TotalSeconds, 16, 24);
            Assert.InRange(ReplyOutbox.Backoff(30, settings).TotalSeconds, 48, 72);
        }
    }

    [Theory]
    [InlineData(null, DeliveryStatus.Sent, true)]
    [InlineData(DeliveryStatus.Sent, DeliveryStatus.Delivered, true)]
    [InlineData(DeliveryStatus.Delivered, DeliveryStatus.Read, true)]
    [InlineData(DeliveryStatus.Read, DeliveryStatus.Delivered, false)]
    [InlineData(DeliveryStatus.Delivered, DeliveryStatus.Sent, false)]
    [InlineData(DeliveryStatus.Delivered, DeliveryStatus.Failed, true)]
    [InlineData(DeliveryStatus.Read, DeliveryStatus.Failed, false)]
    public void Delivery_reports_only_move_a_message_forward(DeliveryStatus? current, DeliveryStatus reported, bool applies) =>
        Assert.Equal(applies, DeliveryProgress.Advances(current, reported));

    private static (ReplyOutbox Outbox, TicketReplies Replies) Build(
        ITicketStore store, TimeProvider clock, IChannelReplySender sender, ITicketEventHandler handler, ReplyOutboxOptions? options = null, Crm.Channels.Attachments.AttachmentOptions? attachments = null)
    {
        var changes = new ConversationChanges();
        var outbox = new ReplyOutbox(store, (IReplyOutboxStore)store, [sender], [handler], changes, Options.Create(options ?? new ReplyOutboxOptions()), clock, new Crm.Hosting.LoopHealthRegistry(clock), NullLogger<ReplyOutbox>.Instance);
        var replies = new TicketReplies(store, [sender], [handler], new Crm.Events.CrmEventPublisher(Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(new Microsoft.Extensions.DependencyInjection.ServiceCollection()), NullLogger<Crm.Events.CrmEventPublisher>.Instance), changes, Options.Create(new OfflineCopyOptions()), Options.Create(attachments ?? new Crm.Channels.Attachments.AttachmentOptions()), clock, NullLogger<TicketReplies>.Instance);
        return (outbox, replies);
    }

    private static async Task<Ticket> CreateTicketAsync(ITicketStore store, string email)
    {
        var contact = await store.ResolveContactAsync(null, email, null, "Customer", false, Start, CancellationToken.None);
        var (ticket, _) = await store.CreateTicketAsync(
            new NewTicket("test", "Subject", contact.Id, Guid.NewGuid().ToString("N"), Start),
            new NewTicketMessage("test", Guid.NewGuid().ToString("N"), MessageDirection.Inbound, "Customer", "Hi", null, [], Start),
            CancellationToken.None);
        return ticket;
    }

    private static NewTicketMessage Reply(Ticket ticket, string id) =>
        new(ticket.Channel, id, MessageDirection.Outbound, "agent", "Reply", null, [], Start) { DeliveryStatus = DeliveryStatus.Queued };

    private static async Task<TicketMessage> MessageAsync(ITicketStore store, long ticketId, long messageId) =>
        (await store.GetTicketDetailsAsync(ticketId, CancellationToken.None))!.Messages.Single(m => m.Id == messageId);

    /// <summary>Answers each send with the next scripted outcome: an exception to throw or a delivery to return.</summary>
    private sealed class ScriptedSender(string channel, params object[] outcomes) : IChannelReplySender
    {
        private int _calls;

        public string Channel => channel;

        public string? Refusal { get; init; }

        public int Calls => Volatile.Read(ref _calls);

        public string? Refuse(TicketDetails ticket, ReplyTemplate? template, DateTimeOffset now) => Refusal;

        public Task<ReplyDelivery> SendAsync(TicketDetails ticket, TicketMessage reply, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls) - 1;
            var outcome = call < outcomes.Length ? outcomes[call] : new ReplyDelivery();
            return outcome is Exception ex ? Task.FromException<ReplyDelivery>(ex) : Task.FromResult((ReplyDelivery)outcome);
        }
    }

    private sealed class RecordingHandler : ITicketEventHandler
    {
        private readonly List<TicketEventKind> _kinds = [];

        public IReadOnlyList<TicketEventKind> Kinds
        {
            get
            {
                lock (_kinds)
                {
                    return [.. _kinds];
                }
            }
        }

        public ValueTask HandleAsync(TicketEvent ticketEvent, CancellationToken cancellationToken)
        {
            lock (_kinds)
            {
                _kinds.Add(ticketEvent.Kind);
            }

            return ValueTask.CompletedTask;
        }
    }
}
