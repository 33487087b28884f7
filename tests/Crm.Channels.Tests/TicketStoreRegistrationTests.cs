using Crm.Channels.Storage;
using Crm.Channels.Tickets;
using Crm.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Channels.Tests;

/// <summary>A custom store can take over one concern at a time; the rest keep their stores.</summary>
public sealed class TicketStoreRegistrationTests
{
    [Fact]
    public void A_store_of_one_concern_replaces_that_concern_only()
    {
        var services = new ServiceCollection();
        services.AddCrmChannels().UseInMemoryStore().UseTicketStore<QuietOutbox>();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<QuietOutbox>(provider.GetRequiredService<IReplyOutboxStore>());
        Assert.Same(provider.GetRequiredService<IReplyOutboxStore>(), provider.GetRequiredService<QuietOutbox>());
        var tickets = provider.GetRequiredService<ITicketStore>();
        Assert.IsType<InMemoryTicketStore>(tickets);
        Assert.Same(tickets, provider.GetRequiredService<ITicketContactStore>());
        Assert.Same(tickets, provider.GetRequiredService<ITicketQueryStore>());
        Assert.IsType<InMemoryCrmSecretStore>(provider.GetRequiredService<ICrmSecretStore>());
    }

    [Fact]
    public void A_class_that_is_no_ticket_store_is_refused()
        => Assert.Throws<ArgumentException>(() => new ServiceCollection().AddCrmChannels().UseTicketStore<QuietOutbox[]>());

    [Fact]
    public void Mapping_without_a_store_for_every_concern_names_the_missing_ones()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddCrmChannels();
        builder.Services.AddSingleton<ITicketStore, InMemoryTicketStore>();
        using var app = builder.Build();

        var failure = Assert.Throws<InvalidOperationException>(() => app.MapCrmChannels());

        Assert.Contains("ITicketContactStore, ITicketQueryStore, IReplyOutboxStore, ICrmSecretStore has none", failure.Message, StringComparison.Ordinal);
    }

    private sealed class QuietOutbox : IReplyOutboxStore
    {
        public Task<IReadOnlyList<TicketMessage>> ClaimDueRepliesAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<TicketMessage>>([]);

        public Task RecordReplyAttemptAsync(long messageId, ReplyAttemptOutcome outcome, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<TicketMessage?> UpdateDeliveryStatusAsync(string channel, string externalMessageId, DeliveryStatus status, string? error, CancellationToken cancellationToken) => Task.FromResult<TicketMessage?>(null);

        public Task<IReadOnlyList<TicketMessage>> ClaimDueOfflineCopiesAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<TicketMessage>>([]);
    }
}
