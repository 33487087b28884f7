using Crm.Testing;
using Crm.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.EndToEnd.Tests;

/// <summary>The webhook outbox's contract, the same on every store: leases, per-endpoint order, replay.</summary>
public sealed class WebhookStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Stores() => ["memory", "sqlite", "postgres"];

    private static async Task OnStoreAsync(string kind, Func<IWebhookStore, Task> test)
    {
        var directory = Directory.CreateTempSubdirectory("crm-webhook-store-").FullName;
        var postgres = kind == "postgres" ? await PostgresServer.CreateDatabaseAsync() : null;
        try
        {
            var services = new ServiceCollection().AddLogging();
            var webhooks = services.AddCrmWebhooks(_ => { });
            if (kind == "memory")
            {
                webhooks.UseInMemoryStore();
            }
            else
            {
                services.AddCrmEntityFrameworkStores(o => _ = postgres is null ? o.UseCrmSqlite($"Data Source={Path.Combine(directory, "crm.db")};Pooling=False") : o.UseCrmPostgres(postgres));
            }

            await using var provider = services.BuildServiceProvider();
            if (kind != "memory")
            {
                await provider.MigrateCrmDatabaseAsync();
            }

            await test(provider.GetRequiredService<IWebhookStore>());
        }
        finally
        {
            if (postgres is not null)
            {
                await PostgresServer.DropDatabaseAsync(postgres);
            }

            HostProcess.TryDeleteDirectory(directory);
        }
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public Task A_leased_delivery_is_nobody_elses_until_its_lease_ends_and_a_dead_hosts_late_answer_is_ignored(string kind) => OnStoreAsync(kind, async store =>
    {
        var endpoint = await store.CreateEndpointAsync(new NewWebhookEndpoint("https://example.com/hooks", ["*"], null, WebhookSignature.NewSecret()), Now, CancellationToken.None);
        Assert.Equal(1, await store.EnqueueAsync("evt_1", "ticket.created", "{}"u8.ToArray(), Now, CancellationToken.None));

        var first = await store.ClaimDueAsync(10, "host-a", Now, Now.AddMinutes(2), CancellationToken.None);
        Assert.Single(first);
        Assert.Empty(await store.ClaimDueAsync(10, "host-b", Now.AddMinutes(1), Now.AddMinutes(3), CancellationToken.None));

        // Host A died holding it (kill -9): once the lease is over another host takes it, and A's late answer counts for nothing.
        var takenOver = await store.ClaimDueAsync(10, "host-b", Now.AddMinutes(2).AddSeconds(1), Now.AddMinutes(4), CancellationToken.None);
        Assert.Equal(first[0].Id, Assert.Single(takenOver).Id);
        await store.RecordAttemptAsync(first[0].Id, "host-a", new WebhookAttempt(false, 500, "late", 10, Now.AddMinutes(2)), Now.AddHours(1), CancellationToken.None);
        await store.RecordAttemptAsync(first[0].Id, "host-b", new WebhookAttempt(true, 200, "ok", 12, Now.AddMinutes(2).AddSeconds(2)), null, CancellationToken.None);
        var log = Assert.Single(await store.ListDeliveriesAsync(endpoint.Id, 1, 50, CancellationToken.None));
        Assert.Equal((WebhookDeliveryStatus.Succeeded, 1, 200, "ok"), (log.Status, log.Attempts, log.ResponseStatus, log.ResponseExcerpt));
        Assert.Empty(await store.ClaimDueAsync(10, "host-c", Now.AddDays(1), Now.AddDays(2), CancellationToken.None));

        // A rotation: both secrets sign until the overlap ends, then the new one alone.
        var before = Assert.Single(await store.GetSigningSecretsAsync(endpoint.Id, Now, CancellationToken.None));
        Assert.True(await store.RotateSecretAsync(endpoint.Id, "whsec_bmV3", Now.AddHours(1), CancellationToken.None));
        Assert.Equal(["whsec_bmV3", before], await store.GetSigningSecretsAsync(endpoint.Id, Now.AddMinutes(59), CancellationToken.None));
        Assert.Equal(["whsec_bmV3"], await store.GetSigningSecretsAsync(endpoint.Id, Now.AddHours(1), CancellationToken.None));
        Assert.False(await store.RotateSecretAsync(endpoint.Id + 100, "whsec_bmV3", Now, CancellationToken.None));
        Assert.Empty(await store.GetSigningSecretsAsync(endpoint.Id + 100, Now, CancellationToken.None));
    });

    [Theory]
    [MemberData(nameof(Stores))]
    public Task Each_endpoint_gets_its_oldest_pending_delivery_first_and_a_failing_one_holds_up_only_itself(string kind) => OnStoreAsync(kind, async store =>
    {
        var slow = await store.CreateEndpointAsync(new NewWebhookEndpoint("https://slow.example/hooks", ["ticket.created"], null, WebhookSignature.NewSecret()), Now, CancellationToken.None);
        var fast = await store.CreateEndpointAsync(new NewWebhookEndpoint("https://fast.example/hooks", ["*"], null, WebhookSignature.NewSecret()), Now, CancellationToken.None);
        Assert.Equal(2, await store.EnqueueAsync("evt_1", "ticket.created", "1"u8.ToArray(), Now, CancellationToken.None));
        Assert.Equal(2, await store.EnqueueAsync("evt_2", "ticket.created", "2"u8.ToArray(), Now, CancellationToken.None));
        Assert.Equal(1, await store.EnqueueAsync("evt_3", "campaign.launched", "3"u8.ToArray(), Now, CancellationToken.None));

        var claimed = await store.ClaimDueAsync(10, "host", Now, Now.AddMinutes(1), CancellationToken.None);
        Assert.Equal([("evt_1", slow.Id), ("evt_1", fast.Id)], claimed.Select(d => (d.WebhookId, d.EndpointId)).Order());
        foreach (var delivery in claimed)
        {
            var succeeded = delivery.EndpointId == fast.Id;
            await store.RecordAttemptAsync(delivery.Id, "host", new WebhookAttempt(succeeded, succeeded ? 200 : 503, null, 5, Now), succeeded ? null : Now.AddHours(1), CancellationToken.None);
        }

        // The slow endpoint's evt_1 waits an hour; its evt_2 waits behind it; the fast endpoint goes on.
        Assert.Equal(["evt_2"], (await store.ClaimDueAsync(10, "host", Now.AddSeconds(1), Now.AddMinutes(2), CancellationToken.None)).Select(d => d.WebhookId));

        await store.UpdateEndpointAsync(slow.Id, null, null, null, enabled: false, "failing", CancellationToken.None);
        Assert.Equal("failing", (await store.GetEndpointAsync(slow.Id, CancellationToken.None))!.DisabledReason);
        // Disabled: a new event goes to the fast endpoint only.
        Assert.Equal(1, await store.EnqueueAsync("evt_4", "ticket.created", "4"u8.ToArray(), Now, CancellationToken.None));
        var enabled = await store.UpdateEndpointAsync(slow.Id, null, null, null, enabled: true, null, CancellationToken.None);
        Assert.Null(enabled!.DisabledReason);
        Assert.True(await store.DeleteEndpointAsync(fast.Id, CancellationToken.None));
        Assert.Empty(await store.ListDeliveriesAsync(fast.Id, 1, 50, CancellationToken.None));
        Assert.Equal(["https://slow.example/hooks"], (await store.ListEndpointsAsync(CancellationToken.None)).Select(e => e.Url));
    });
}
