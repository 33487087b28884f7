using System.Net;
using Crm.Channels.Chat;
using Crm.Channels.Replies;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Tests;

/// <summary>Who is woken by a write, and how many streams a conversation and a client may hold.</summary>
public sealed class ConversationChangesTests
{
    [Fact]
    public async Task A_write_wakes_the_streams_of_its_conversation_and_the_outbox_but_not_other_conversations()
    {
        var changes = new ConversationChanges();
        using var one = changes.Watch(1);
        using var two = changes.Watch(2);
        var outbox = changes.NextChange;
        var waitingOnOne = changes.WaitAsync(1, TimeSpan.FromSeconds(30), CancellationToken.None);
        var waitingOnTwo = changes.WaitAsync(2, TimeSpan.FromMilliseconds(300), CancellationToken.None);

        changes.Notify(1);

        Assert.True(await waitingOnOne);
        await outbox.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(await waitingOnTwo);
        Assert.Equal([1L, 2L], changes.WatchedTickets.Order());
    }

    [Fact]
    public async Task Not_knowing_what_changed_wakes_every_conversation_and_an_unwatched_ticket_leaves_no_trace()
    {
        var changes = new ConversationChanges();
        using (changes.Watch(3))
        {
            var waiting = changes.WaitAsync(3, TimeSpan.FromSeconds(30), CancellationToken.None);
            changes.NotifyAll();
            Assert.True(await waiting);
            Assert.Equal(1, changes.Watchers);
        }

        Assert.Empty(changes.WatchedTickets);
        Assert.Equal(0, changes.Watchers);
    }

    [Fact]
    public async Task The_store_watcher_wakes_only_the_conversation_another_instance_wrote_to()
    {
        var store = new Crm.Channels.Storage.InMemoryTicketStore();
        var now = DateTimeOffset.UtcNow;
        async Task<long> NewTicketAsync(string email)
        {
            var contact = await store.ResolveContactAsync(null, email, null, "Visitor", false, now, CancellationToken.None);
            var (ticket, _) = await store.CreateTicketAsync(
                new Crm.Channels.Storage.NewTicket("chat", "Chat", contact.Id, Guid.NewGuid().ToString("N"), now),
                new Crm.Channels.Storage.NewTicketMessage("chat", Guid.NewGuid().ToString("N"), Crm.Channels.Tickets.MessageDirection.Inbound, "Visitor", "Hi", null, [], now),
                CancellationToken.None);
            return ticket.Id;
        }

        var quiet = await NewTicketAsync("quiet@example.com");
        var busy = await NewTicketAsync("busy@example.com");
        var changes = new ConversationChanges();
        using var watcher = new ConversationChangeWatcher(store, changes, Options.Create(new ChatOptions { StreamPollInterval = TimeSpan.FromMilliseconds(50) }),
            TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<ConversationChangeWatcher>.Instance);
        using var quietStream = changes.Watch(quiet);
        using var busyStream = changes.Watch(busy);
        await watcher.StartAsync(CancellationToken.None);
        // The watcher's first look wakes everyone once (it has no baseline yet); wait for that to pass.
        await changes.WaitAsync(quiet, TimeSpan.FromSeconds(5), CancellationToken.None);

        var quietWoken = changes.WaitAsync(quiet, TimeSpan.FromSeconds(1), CancellationToken.None);
        var busyWoken = changes.WaitAsync(busy, TimeSpan.FromSeconds(10), CancellationToken.None);
        // Written behind this instance's back, as another host instance would.
        await store.AppendMessageAsync(busy, new Crm.Channels.Storage.NewTicketMessage("chat", "m2", Crm.Channels.Tickets.MessageDirection.Inbound, "Visitor", "Again", null, [], now),
            Crm.Channels.Tickets.TicketStatus.Open, CancellationToken.None);

        Assert.True(await busyWoken);
        Assert.False(await quietWoken);
        await watcher.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void A_new_stream_replaces_the_oldest_of_its_conversation_and_a_client_at_its_limit_is_refused()
    {
        var limits = new ChatStreamLimits(Options.Create(new ChatOptions { MaxStreamsPerConversation = 2, MaxStreamsPerClient = 3 }));
        var first = limits.TryOpen(1, "10.0.0.1")!;
        var second = limits.TryOpen(1, "10.0.0.1")!;
        var third = limits.TryOpen(1, "10.0.0.1")!;

        Assert.True(first.Replaced.IsCancellationRequested);
        Assert.False(second.Replaced.IsCancellationRequested);
        Assert.Null(limits.TryOpen(2, "10.0.0.1"));
        Assert.NotNull(limits.TryOpen(2, "10.0.0.2"));
        first.Dispose();
        Assert.NotNull(limits.TryOpen(2, "10.0.0.1"));
        third.Dispose();
        second.Dispose();
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    public void Client_addresses_count_ipv6_by_its_64_network(string address, string key)
        => Assert.Equal(key, ClientAddress.KeyOf(IPAddress.Parse(address)));
}
