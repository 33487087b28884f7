using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Contacts;
using Crm.Campaigns.Deliverability;
using Crm.Campaigns.Segments;
using Crm.Campaigns.Tracking;
using Crm.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Campaigns.Tests;

/// <summary>The campaign suite on the in-memory stores integrators use in their own tests.</summary>
public sealed class InMemoryCampaignStoreTests : CampaignStoreSuite
{
    protected override Task<ServiceProvider> CreateServicesAsync()
    {
        var services = new ServiceCollection().AddSingleton<TimeProvider>(CampaignStoreSuite.Clock);
        services.AddBulkEmail().UseInMemoryStores();
        return Task.FromResult(services.BuildServiceProvider());
    }

    protected override Task DropDatabaseAsync() => Task.CompletedTask;
}

/// <summary>The campaign suite on a real SQLite file.</summary>
public sealed class SqliteCampaignStoreTests : CampaignStoreSuite
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("crm-campaign-store-");

    protected override Task<Action<DbContextOptionsBuilder>> CreateDatabaseAsync()
        => Task.FromResult<Action<DbContextOptionsBuilder>>(o => o.UseCrmSqlite($"Data Source={Path.Combine(_directory.FullName, "crm.db")};Pooling=False"));

    protected override Task DropDatabaseAsync()
    {
        _directory.Delete(recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>The same suite on a real PostgreSQL server.</summary>
public sealed class PostgresCampaignStoreTests : CampaignStoreSuite
{
    private string _connectionString = "";

    protected override async Task<Action<DbContextOptionsBuilder>> CreateDatabaseAsync()
    {
        _connectionString = await PostgresServer.CreateDatabaseAsync();
        return o => o.UseCrmPostgres(_connectionString);
    }

    protected override Task DropDatabaseAsync() => PostgresServer.DropDatabaseAsync(_connectionString);
}

/// <summary>The campaign stores on each backend: segment snapshots, suppression, the ledger and exact counters.</summary>
public abstract class CampaignStoreSuite : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private ServiceProvider _services = null!;

    /// <summary>The stores' clock: engagement's withinDays counts back from it (a day and a half after the test's sends).</summary>
    internal static TimeProvider Clock { get; } = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now.AddHours(36));

    private ICampaignStore Campaigns => _services.GetRequiredService<ICampaignStore>();

    private IContactDirectory Contacts => _services.GetRequiredService<IContactDirectory>();

    private ITrackingStore Tracking => _services.GetRequiredService<ITrackingStore>();

    private IDeliveryEventStore Deliveries => _services.GetRequiredService<IDeliveryEventStore>();

    public async Task InitializeAsync() => _services = await CreateServicesAsync();

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await DropDatabaseAsync();
    }

    /// <summary>The EF stores on the database <see cref="CreateDatabaseAsync"/> makes; the in-memory suite overrides it.</summary>
    protected virtual async Task<ServiceProvider> CreateServicesAsync()
    {
        var configure = await CreateDatabaseAsync();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(Clock).AddCrmEntityFrameworkStores(configure).BuildServiceProvider();
        await services.MigrateCrmDatabaseAsync();
        return services;
    }

    protected virtual Task<Action<DbContextOptionsBuilder>> CreateDatabaseAsync() => throw new NotSupportedException("This suite has no database.");

    protected abstract Task DropDatabaseAsync();

    [Fact]
    public async Task Segments_select_by_all_tags_attribute_values_and_creation_dates()
    {
        await Contacts.UpsertAsync([Upsert("a@x.example", ["vip", "de"], ("city", "Berlin")), Upsert("b@x.example", ["vip"], ("city", "Berlin")), Upsert("c@x.example", ["de"], ("city", "Paris"))], Now, CancellationToken.None);
        await Contacts.UpsertAsync([Upsert("d@x.example", ["vip", "de"], ("city", "Berlin"))], Now.AddDays(10), CancellationToken.None);

        Assert.Equal(4, await Contacts.CountRecipientsAsync(SegmentCriteria.All, CancellationToken.None));
        Assert.Equal(2, await Contacts.CountRecipientsAsync(new SegmentCriteria { Tags = ["vip", "de"] }, CancellationToken.None));
        Assert.Equal(3, await Contacts.CountRecipientsAsync(new SegmentCriteria { Attributes = new Dictionary<string, string> { ["city"] = "Berlin" } }, CancellationToken.None));
        Assert.Equal(1, await Contacts.CountRecipientsAsync(new SegmentCriteria { Tags = ["vip", "de"], CreatedAfter = Now.AddDays(1) }, CancellationToken.None));
        Assert.Equal(1, await Contacts.CountRecipientsAsync(new SegmentCriteria { Tags = ["vip", "de"], CreatedBefore = Now.AddDays(1) }, CancellationToken.None));
        Assert.Equal(0, await Contacts.CountRecipientsAsync(new SegmentCriteria { Tags = ["x' OR '1'='1"] }, CancellationToken.None));
    }

    [Fact]
    public async Task Engagement_selects_by_peoples_opens_clicks_and_receipt_per_campaign_or_recent_days_and_or_groups()
    {
        // a opens as a person and clicks link 1; b is opened only by a scanner (and once too soon after the send);
        // c clicks link 0 without an open pixel; d is not sent to (failed); e joins after the campaign.
        await Contacts.UpsertAsync([Upsert("a@x.example", ["vip"]), Upsert("b@x.example", []), Upsert("c@x.example", ["vip"]), Upsert("d@x.example", [])], Now, CancellationToken.None);
        var campaign = await LaunchAsync();
        var rows = (await Campaigns.ClaimBatchAsync(10, "t", Now, Now.AddMinutes(1), CancellationToken.None)).ToDictionary(r => r.Email);
        await Campaigns.CompleteAttemptsAsync(
            [.. rows.Values.Select(r => new SendAttempt(r.RecipientId, campaign.Id, r.Email == "d@x.example" ? SendOutcome.Failed : SendOutcome.Sent))], Now, CancellationToken.None);
        await Contacts.UpsertAsync([Upsert("e@x.example", [])], Now, CancellationToken.None);
        var window = TimeSpan.FromSeconds(5);
        await Tracking.RecordOpensAsync([new OpenEvent(campaign.Id, rows["a@x.example"].RecipientId, Now.AddMinutes(30))], window, CancellationToken.None);
        await Tracking.RecordOpensAsync([new OpenEvent(campaign.Id, rows["b@x.example"].RecipientId, Now.AddMinutes(30)) { Machine = true }, new OpenEvent(campaign.Id, rows["b@x.example"].RecipientId, Now.AddSeconds(1))], window, CancellationToken.None);
        await Tracking.RecordClickAsync(new ClickEvent(campaign.Id, rows["a@x.example"].RecipientId, 1, Now.AddMinutes(31)), CancellationToken.None);
        await Tracking.RecordClickAsync(new ClickEvent(campaign.Id, rows["c@x.example"].RecipientId, 0, Now.AddMinutes(40)), CancellationToken.None);

        async Task<int> CountAsync(params EngagementCondition[] conditions) => await Contacts.CountRecipientsAsync(new SegmentCriteria { Engagement = conditions }, CancellationToken.None);
        EngagementCondition On(string @event, int? link = null) => new() { Event = @event, CampaignId = campaign.Id, Link = link };

        Assert.Equal(3, await CountAsync(On("received")));                                    // a, b, c
        Assert.Equal(2, await CountAsync(On("not_received")));                                // d (failed), e (joined later)
        Assert.Equal(1, await CountAsync(On("opened")));                                      // a: a scanner's opens never count
        Assert.Equal(2, await CountAsync(On("received"), On("not_opened")));                  // b, c
        Assert.Equal(2, await CountAsync(On("clicked")));                                     // a, c
        Assert.Equal(1, await CountAsync(On("clicked", link: 1)));                            // a
        Assert.Equal(1, await CountAsync(On("clicked", link: 0)));                            // c
        Assert.Equal(0, await CountAsync(On("clicked", link: 2)));
        Assert.Equal(2, await CountAsync(On("received"), On("not_clicked", link: 0)));        // a, b
        Assert.Equal(0, await CountAsync(new EngagementCondition { Event = "opened", CampaignId = campaign.Id + 1 }));
        // Any campaign sent in the last days: the clock is a day and a half after the send.
        Assert.Equal(3, await CountAsync(new EngagementCondition { Event = "received", WithinDays = 2 }));
        Assert.Equal(0, await CountAsync(new EngagementCondition { Event = "received", WithinDays = 1 }));
        Assert.Equal(5, await CountAsync(new EngagementCondition { Event = "not_opened", WithinDays = 1 }));
        Assert.Equal(4, await CountAsync(new EngagementCondition { Event = "not_opened", WithinDays = 2 }));
        // Combined with tags by AND, and an OR group: vip and (opened, or clicked link 0).
        var segment = new SegmentCriteria
        {
            Tags = ["vip"],
            AnyOf = [new SegmentCriteria { Engagement = [On("opened")] }, new SegmentCriteria { Engagement = [On("clicked", link: 0)] }],
        };
        Assert.Equal(2, await Contacts.CountRecipientsAsync(segment, CancellationToken.None));
        Assert.Equal(1, await Contacts.CountRecipientsAsync(segment with { AnyOf = [new SegmentCriteria { Engagement = [On("opened")] }, new SegmentCriteria { Tags = ["nobody"] }] }, CancellationToken.None));

        // The launch snapshots exactly what the count said.
        var followUp = await LaunchAsync(new SegmentCriteria { Engagement = [On("received"), On("not_opened")] });
        Assert.Equal(2, followUp.Stats.Recipients);
        var claimed = await Campaigns.ClaimBatchAsync(10, "t", Now, Now.AddMinutes(1), CancellationToken.None);
        Assert.Equal(["b@x.example", "c@x.example"], claimed.Where(r => r.CampaignId == followUp.Id).Select(r => r.Email).Order());
    }

    [Fact]
    public async Task Saved_segments_keep_their_criteria_under_a_unique_name_whoever_races_for_it()
    {
        var segments = _services.GetRequiredService<ISavedSegmentStore>();
        var criteria = new SegmentCriteria { Tags = ["vip"], Engagement = [new EngagementCondition { Event = "not_opened", CampaignId = 7 }], AnyOf = [new SegmentCriteria { Attributes = new Dictionary<string, string> { ["city"] = "Berlin" } }] };

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => segments.CreateAsync("Lapsed VIPs", criteria, "maria", Now, CancellationToken.None))));
        var other = await segments.CreateAsync("All Berliners", new SegmentCriteria { Attributes = new Dictionary<string, string> { ["city"] = "Berlin" } }, null, Now, CancellationToken.None);

        var saved = Assert.Single(results, r => r is not null)!;
        Assert.NotNull(other);
        Assert.Equal(["All Berliners", "Lapsed VIPs"], (await segments.ListAsync(CancellationToken.None)).Select(s => s.Name));
        var read = (await segments.GetAsync(saved.Id, CancellationToken.None))!;
        Assert.Equal(("Lapsed VIPs", "maria"), (read.Name, read.Owner));
        Assert.Equal(["vip"], read.Segment.Tags);
        Assert.Equal(("not_opened", 7L), (read.Segment.Engagement![0].Event, read.Segment.Engagement[0].CampaignId!.Value));
        Assert.Equal("Berlin", read.Segment.AnyOf![0].Attributes!["city"]);
        Assert.Equal(2, await segments.CountAsync(CancellationToken.None));
        Assert.True(await segments.DeleteAsync(saved.Id, CancellationToken.None));
        Assert.False(await segments.DeleteAsync(saved.Id, CancellationToken.None));
        Assert.Null(await segments.GetAsync(saved.Id, CancellationToken.None));
        Assert.NotNull(await segments.CreateAsync("Lapsed VIPs", SegmentCriteria.All, null, Now, CancellationToken.None));
    }

    [Fact]
    public async Task Bounced_and_unsubscribed_contacts_are_left_out_of_the_ledger_at_launch()
    {
        await Contacts.UpsertAsync([Upsert("a@x.example", []), Upsert("b@x.example", []), Upsert("c@x.example", [])], Now, CancellationToken.None);
        Assert.Equal(DeliveryEventOutcome.Suppressed, await Deliveries.ApplyAsync(new DeliveryEvent(DeliveryEventKind.HardBounce, "b@x.example", "test", null, Now), 3, CancellationToken.None));
        Assert.Equal(DeliveryEventOutcome.UnknownAddress, await Deliveries.ApplyAsync(new DeliveryEvent(DeliveryEventKind.HardBounce, "nobody@x.example", "test", null, Now), 3, CancellationToken.None));

        var first = await LaunchAsync();
        var claimed = await Campaigns.ClaimBatchAsync(10, "test", Now, Now.AddMinutes(1), CancellationToken.None);
        Assert.Equal(2, first.Stats.Recipients);
        Assert.Equal(["a@x.example", "c@x.example"], claimed.Select(r => r.Email).Order());

        var a = claimed.Single(r => r.Email == "a@x.example");
        Assert.True(await Tracking.UnsubscribeAsync(first.Id, a.RecipientId, Now, CancellationToken.None));
        var second = await LaunchAsync();
        Assert.Equal(1, second.Stats.Recipients);
    }

    [Fact]
    public async Task A_contact_imported_without_consent_is_known_but_never_a_recipient_until_an_import_subscribes_it()
    {
        await Contacts.UpsertAsync([Upsert("yes@x.example", []), Upsert("no@x.example", []) with { Subscribe = false }], Now, CancellationToken.None);

        Assert.Equal(1, await Contacts.CountRecipientsAsync(SegmentCriteria.All, CancellationToken.None));
        var first = await LaunchAsync();
        Assert.Equal(1, first.Stats.Recipients);

        // An import that leaves consent out subscribes a contact known only from support (status none).
        await Contacts.UpsertAsync([Upsert("no@x.example", [])], Now, CancellationToken.None);
        Assert.Equal(2, await Contacts.CountRecipientsAsync(SegmentCriteria.All, CancellationToken.None));
        // Campaigns are counted for paging.
        await LaunchAsync();
        Assert.Equal(2, await Campaigns.CountAsync(CancellationToken.None));
        Assert.Single(await Campaigns.ListAsync(2, 1, CancellationToken.None));
    }

    [Fact]
    public async Task Claims_lease_rows_once_and_expired_leases_are_taken_over()
    {
        await Contacts.UpsertAsync(Enumerable.Range(0, 5).Select(i => Upsert($"r{i}@x.example", [])).ToList(), Now, CancellationToken.None);
        var campaign = await LaunchAsync();

        var first = await Campaigns.ClaimBatchAsync(3, "one", Now, Now.AddSeconds(30), CancellationToken.None);
        var second = await Campaigns.ClaimBatchAsync(10, "two", Now, Now.AddSeconds(30), CancellationToken.None);
        var nothingLeft = await Campaigns.ClaimBatchAsync(10, "three", Now.AddSeconds(10), Now.AddSeconds(40), CancellationToken.None);
        var takenOver = await Campaigns.ClaimBatchAsync(10, "four", Now.AddSeconds(31), Now.AddSeconds(60), CancellationToken.None);

        Assert.Equal(3, first.Count);
        Assert.Equal(2, second.Count);
        Assert.Empty(first.Select(r => r.RecipientId).Intersect(second.Select(r => r.RecipientId)));
        Assert.Empty(nothingLeft);
        Assert.Equal(5, takenOver.Count);

        await Campaigns.CompleteAttemptsAsync(takenOver.Select(r => new SendAttempt(r.RecipientId, campaign.Id, SendOutcome.Sent)).ToList(), Now, CancellationToken.None);
        // The first owner finishes late: its rows are no longer claimed, so nothing is counted twice.
        await Campaigns.CompleteAttemptsAsync(first.Select(r => new SendAttempt(r.RecipientId, campaign.Id, SendOutcome.Sent)).ToList(), Now, CancellationToken.None);
        Assert.Equal([campaign.Id], await Campaigns.CompleteFinishedAsync(Now, CancellationToken.None));
        var done = await Campaigns.GetAsync(campaign.Id, CancellationToken.None);
        Assert.Equal(CampaignStatus.Completed, done!.Status);
        Assert.Equal(5, done.Stats.Sent);
    }

    [Fact]
    public async Task Sent_failed_and_skipped_outcomes_are_counted_in_the_stats()
    {
        await Contacts.UpsertAsync(Enumerable.Range(0, 3).Select(i => Upsert($"o{i}@x.example", [])).ToList(), Now, CancellationToken.None);
        var campaign = await LaunchAsync();
        var rows = await Campaigns.ClaimBatchAsync(10, "one", Now, Now.AddSeconds(30), CancellationToken.None);

        await Campaigns.CompleteAttemptsAsync(
        [
            new SendAttempt(rows[0].RecipientId, campaign.Id, SendOutcome.Sent),
            new SendAttempt(rows[1].RecipientId, campaign.Id, SendOutcome.Failed, "550 gone"),
            new SendAttempt(rows[2].RecipientId, campaign.Id, SendOutcome.Skipped),
        ], Now, CancellationToken.None);

        var stats = (await Campaigns.GetAsync(campaign.Id, CancellationToken.None))!.Stats;
        Assert.Equal((1, 1, 1), (stats.Sent, stats.Failed, stats.Skipped));
    }

    [Fact]
    public async Task A_scheduled_campaign_launches_once_and_only_when_due()
    {
        await Contacts.UpsertAsync([Upsert("a@x.example", [])], Now, CancellationToken.None);
        var created = await Campaigns.CreateAsync(new NewCampaign("s", "b", SegmentCriteria.All, Now.AddHours(1), "n@shop.example", null, "https://crm.example", Now), CancellationToken.None);

        Assert.Null(await Campaigns.LaunchNextDueAsync(Now, CancellationToken.None));
        var launches = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Campaigns.LaunchNextDueAsync(Now.AddHours(2), CancellationToken.None)));

        Assert.Single(launches, l => l is not null);
        Assert.Equal(created.Id, launches.Single(l => l is not null)!.Id);
        Assert.Single(await Campaigns.ClaimBatchAsync(10, "x", Now.AddHours(2), Now.AddHours(3), CancellationToken.None));
    }

    [Fact]
    public async Task A_campaigns_trace_parent_is_kept_for_the_batches_that_send_it_later()
    {
        const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var traced = await Campaigns.CreateAsync(new NewCampaign("s", "b", SegmentCriteria.All, Now, "n@shop.example", null, "https://crm.example", Now) { TraceParent = traceParent }, CancellationToken.None);
        var untraced = await Campaigns.CreateAsync(new NewCampaign("s", "b", SegmentCriteria.All, Now, "n@shop.example", null, "https://crm.example", Now), CancellationToken.None);

        Assert.Equal(traceParent, (await Campaigns.GetAsync(traced.Id, CancellationToken.None))!.TraceParent);
        Assert.Null((await Campaigns.GetAsync(untraced.Id, CancellationToken.None))!.TraceParent);
    }

    [Fact]
    public async Task The_next_wake_is_the_earliest_scheduled_start_retry_or_lease_expiry_and_none_when_idle()
    {
        Assert.Null(await Campaigns.NextWakeAsync(CancellationToken.None));
        await Contacts.UpsertAsync(Enumerable.Range(0, 3).Select(i => Upsert($"w{i}@x.example", [])).ToList(), Now, CancellationToken.None);
        var later = await Campaigns.CreateAsync(new NewCampaign("later", "b", SegmentCriteria.All, Now.AddHours(5), "n@shop.example", null, "https://crm.example", Now), CancellationToken.None);
        Assert.Equal(Now.AddHours(5), await Campaigns.NextWakeAsync(CancellationToken.None));

        var campaign = await LaunchAsync();
        var rows = await Campaigns.ClaimBatchAsync(3, "one", Now, Now.AddMinutes(2), CancellationToken.None);
        // Claimed rows wake a dispatcher when their lease runs out (their owner may have died).
        Assert.Equal(Now.AddMinutes(2), await Campaigns.NextWakeAsync(CancellationToken.None));

        await Campaigns.CompleteAttemptsAsync(
        [
            new SendAttempt(rows[0].RecipientId, campaign.Id, SendOutcome.Sent),
            new SendAttempt(rows[1].RecipientId, campaign.Id, SendOutcome.Retry, RetryAt: Now.AddSeconds(40)),
            new SendAttempt(rows[2].RecipientId, campaign.Id, SendOutcome.Retry, RetryAt: Now.AddSeconds(90)),
        ], Now, CancellationToken.None);
        Assert.Equal(Now.AddSeconds(40), await Campaigns.NextWakeAsync(CancellationToken.None));

        // A paused campaign's retries wake nobody; the scheduled one still does.
        await Campaigns.TransitionAsync(campaign.Id, CampaignCommand.Pause, "test", Now, CancellationToken.None);
        Assert.Equal(Now.AddHours(5), await Campaigns.NextWakeAsync(CancellationToken.None));
        await Campaigns.TransitionAsync(later.Id, CampaignCommand.Cancel, null, Now, CancellationToken.None);
        Assert.Null(await Campaigns.NextWakeAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_opens_and_unsubscribes_are_counted_exactly()
    {
        await Contacts.UpsertAsync([Upsert("a@x.example", []), Upsert("b@x.example", [])], Now, CancellationToken.None);
        var campaign = await LaunchAsync();
        var rows = await Campaigns.ClaimBatchAsync(10, "t", Now, Now.AddMinutes(1), CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => Tracking.RecordOpensAsync([new OpenEvent(campaign.Id, rows[i % 2].RecipientId, Now)], TimeSpan.Zero, CancellationToken.None))));
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => Tracking.UnsubscribeAsync(campaign.Id, rows[0].RecipientId, Now, CancellationToken.None))));
        Assert.Equal(0, await Tracking.RecordOpensAsync([new OpenEvent(campaign.Id + 1, rows[0].RecipientId, Now)], TimeSpan.Zero, CancellationToken.None));
        Assert.Equal(3, await Tracking.RecordOpensAsync([new OpenEvent(campaign.Id, rows[0].RecipientId, Now), new OpenEvent(campaign.Id, rows[0].RecipientId, Now), new OpenEvent(campaign.Id, rows[1].RecipientId, Now)], TimeSpan.Zero, CancellationToken.None));

        var stats = (await Campaigns.GetAsync(campaign.Id, CancellationToken.None))!.Stats;
        Assert.Equal(2, stats.UniqueOpens);
        Assert.Equal(43, stats.TotalOpens);
        Assert.Equal(1, stats.Unsubscribes);
    }

    [Fact]
    public async Task Opens_flagged_as_machines_or_within_the_window_after_the_send_are_machine_opens()
    {
        await Contacts.UpsertAsync([Upsert("a@x.example", [])], Now, CancellationToken.None);
        var campaign = await LaunchAsync();
        var row = Assert.Single(await Campaigns.ClaimBatchAsync(10, "t", Now, Now.AddMinutes(1), CancellationToken.None));
        await Campaigns.CompleteAttemptsAsync([new SendAttempt(row.RecipientId, campaign.Id, SendOutcome.Sent)], Now, CancellationToken.None);
        var window = TimeSpan.FromSeconds(5);

        await Tracking.RecordOpensAsync([new OpenEvent(campaign.Id, row.RecipientId, Now.AddSeconds(2))], window, CancellationToken.None);
        await Tracking.RecordOpensAsync([new OpenEvent(campaign.Id, row.RecipientId, Now.AddMinutes(5)) { Machine = true }], window, CancellationToken.None);
        await Tracking.RecordOpensAsync([new OpenEvent(campaign.Id, row.RecipientId, Now.AddMinutes(10))], window, CancellationToken.None);

        var stats = (await Campaigns.GetAsync(campaign.Id, CancellationToken.None))!.Stats;
        Assert.Equal(2, stats.MachineOpens);
        Assert.Equal(1, stats.UniqueOpens);
        Assert.Equal(1, stats.TotalOpens);
    }

    [Fact]
    public async Task Clicks_count_once_per_recipient_per_campaign_and_per_link_under_concurrency()
    {
        await Contacts.UpsertAsync([Upsert("a@x.example", []), Upsert("b@x.example", [])], Now, CancellationToken.None);
        var campaign = await LaunchAsync();
        var rows = await Campaigns.ClaimBatchAsync(10, "t", Now, Now.AddMinutes(1), CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => Tracking.RecordClickAsync(new ClickEvent(campaign.Id, rows[0].RecipientId, i % 2, Now), CancellationToken.None))));
        Assert.True(await Tracking.RecordClickAsync(new ClickEvent(campaign.Id, rows[1].RecipientId, 1, Now), CancellationToken.None));
        Assert.False(await Tracking.RecordClickAsync(new ClickEvent(campaign.Id + 1, rows[1].RecipientId, 1, Now), CancellationToken.None));

        var stats = (await Campaigns.GetAsync(campaign.Id, CancellationToken.None))!.Stats;
        Assert.Equal(2, stats.UniqueClicks);
        Assert.Equal(21, stats.TotalClicks);
        var links = await Tracking.GetLinkClicksAsync(campaign.Id, CancellationToken.None);
        Assert.Equal([(0, 1, 10), (1, 2, 11)], links);
    }

    [Fact]
    public async Task Bounces_and_complaints_suppress_count_once_and_soft_bounces_suppress_at_the_limit()
    {
        await Contacts.UpsertAsync([Upsert("hard@x.example", []), Upsert("spam@x.example", []), Upsert("soft@x.example", [])], Now, CancellationToken.None);
        var campaign = await LaunchAsync();
        var rows = await Campaigns.ClaimBatchAsync(10, "t", Now, Now.AddMinutes(1), CancellationToken.None);
        await Campaigns.CompleteAttemptsAsync(rows.Select(r => new SendAttempt(r.RecipientId, campaign.Id, SendOutcome.Sent)).ToList(), Now, CancellationToken.None);

        var hard = new DeliveryEvent(DeliveryEventKind.HardBounce, "hard@x.example", "test", null, Now);
        Assert.Equal(DeliveryEventOutcome.Suppressed, await Deliveries.ApplyAsync(hard, 3, CancellationToken.None));
        Assert.Equal(DeliveryEventOutcome.Suppressed, await Deliveries.ApplyAsync(hard, 3, CancellationToken.None));
        Assert.Equal(DeliveryEventOutcome.Suppressed, await Deliveries.ApplyAsync(new DeliveryEvent(DeliveryEventKind.Complaint, "spam@x.example", "test", null, Now), 3, CancellationToken.None));
        var soft = new DeliveryEvent(DeliveryEventKind.SoftBounce, "soft@x.example", "test", null, Now);
        Assert.Equal(DeliveryEventOutcome.Counted, await Deliveries.ApplyAsync(soft, 3, CancellationToken.None));
        Assert.Equal(DeliveryEventOutcome.Counted, await Deliveries.ApplyAsync(soft, 3, CancellationToken.None));
        Assert.Equal(DeliveryEventOutcome.Suppressed, await Deliveries.ApplyAsync(soft, 3, CancellationToken.None));
        Assert.Equal(DeliveryEventOutcome.UnknownAddress, await Deliveries.ApplyAsync(hard with { Email = "nobody@x.example" }, 3, CancellationToken.None));

        var stats = (await Campaigns.GetAsync(campaign.Id, CancellationToken.None))!.Stats;
        Assert.Equal(2, stats.Bounces);
        Assert.Equal(1, stats.Complaints);
        Assert.Equal(0, await Contacts.CountRecipientsAsync(SegmentCriteria.All, CancellationToken.None));
    }

    [Fact]
    public async Task A_webhook_event_id_is_remembered_once_whoever_races_for_it()
    {
        var first = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Deliveries.TryRememberAsync("test", "event-1", Now, CancellationToken.None))));

        Assert.Single(first, taken => taken);
        Assert.True(await Deliveries.TryRememberAsync("other", "event-1", Now, CancellationToken.None));
    }

    [Fact]
    public async Task A_secret_is_created_once_whoever_races_for_it_and_kept_by_its_name()
    {
        var secrets = _services.GetRequiredService<Crm.Security.ICrmSecretStore>();

        var first = await Task.WhenAll(Enumerable.Range(1, 8).Select(i => Task.Run(() => secrets.GetOrCreateSecretAsync("tracking.signing_key", [.. Enumerable.Repeat((byte)i, 32)], CancellationToken.None))));
        var later = await secrets.GetOrCreateSecretAsync("tracking.signing_key", [.. Enumerable.Repeat((byte)99, 32)], CancellationToken.None);
        var other = await secrets.GetOrCreateSecretAsync("channels.chat.visitor_token_key", [.. Enumerable.Repeat((byte)7, 32)], CancellationToken.None);

        Assert.Single(first.Select(Convert.ToHexString).Distinct());
        Assert.Equal(first[0], later);
        Assert.NotEqual(99, later[0]);
        Assert.Equal(7, other[0]);
    }

    private async Task<Campaign> LaunchAsync(SegmentCriteria? segment = null)
    {
        await Campaigns.CreateAsync(new NewCampaign("s", "b", segment ?? SegmentCriteria.All, Now, "n@shop.example", null, "https://crm.example", Now), CancellationToken.None);
        return (await Campaigns.LaunchNextDueAsync(Now, CancellationToken.None))!;
    }

    private static ContactUpsert Upsert(string email, string[] tags, params (string Name, string Value)[] attributes)
        => new(email, null, null, tags, attributes.ToDictionary(a => a.Name, a => a.Value));
}
