using System.Security.Cryptography;
using Crm.Channels.Attachments;
using Crm.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Tests;

/// <summary>One suite for every attachment store: the folder, and the database on SQLite and PostgreSQL.</summary>
public sealed class AttachmentStoreTests
{
    public static TheoryData<string> Kinds => ["file-system", TicketStores.Sqlite, TicketStores.Postgres];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Content_round_trips_by_its_sha256_is_kept_once_and_reads_from_any_offset(string kind)
    {
        await using var store = await OpenAsync(kind);
        // Over three database chunks, not a multiple of the chunk size.
        var bytes = RandomNumberGenerator.GetBytes((3 * 1024 * 1024) + 12_345);

        var first = await store.Store.PutAsync(new MemoryStream(bytes), long.MaxValue, CancellationToken.None);
        var again = await store.Store.PutAsync(new MemoryStream(bytes), long.MaxValue, CancellationToken.None);
        var empty = await store.Store.PutAsync(new MemoryStream(), long.MaxValue, CancellationToken.None);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), first.Key);
        Assert.Equal((first.Key, first.Length), (again.Key, again.Length));
        // Only the first call stored the bytes: a refused request may delete what it stored, never what others share.
        Assert.True(first.IsNew);
        Assert.False(again.IsNew);
        Assert.Equal(bytes.LongLength, first.Length);
        await using (var read = await store.Store.OpenReadAsync(first.Key, CancellationToken.None))
        {
            using var copy = new MemoryStream();
            await read!.CopyToAsync(copy);
            Assert.Equal(bytes, copy.ToArray());
        }

        // Range requests seek: a slice across a chunk boundary.
        await using (var read = await store.Store.OpenReadAsync(first.Key, CancellationToken.None))
        {
            Assert.True(read!.CanSeek);
            read.Seek((1024 * 1024) - 10, SeekOrigin.Begin);
            var slice = new byte[20];
            await read.ReadExactlyAsync(slice);
            Assert.Equal(bytes.AsSpan((1024 * 1024) - 10, 20).ToArray(), slice);
        }

        await using (var read = await store.Store.OpenReadAsync(empty.Key, CancellationToken.None))
        {
            Assert.Equal(0, await read!.ReadAsync(new byte[10]));
        }

        Assert.Null(await store.Store.OpenReadAsync(new string('0', 64), CancellationToken.None));
        Assert.Null(await store.Store.OpenReadAsync("../../etc/passwd", CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Content_over_the_limit_is_refused_and_leaves_nothing(string kind)
    {
        await using var store = await OpenAsync(kind);
        var bytes = RandomNumberGenerator.GetBytes((2 * 1024 * 1024) + 1);

        var refused = await Assert.ThrowsAsync<AttachmentTooLargeException>(() => store.Store.PutAsync(new MemoryStream(bytes), 2 * 1024 * 1024, CancellationToken.None));

        Assert.Equal(2 * 1024 * 1024, refused.Limit);
        Assert.Null(await store.Store.OpenReadAsync(Convert.ToHexStringLower(SHA256.HashData(bytes)), CancellationToken.None));
        Assert.Equal(0, await store.Store.DeleteStoredBeforeAsync(DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Deleting_content_removes_it_and_an_unknown_or_hostile_key_changes_nothing(string kind)
    {
        await using var store = await OpenAsync(kind);
        var kept = await store.Store.PutAsync(new MemoryStream(RandomNumberGenerator.GetBytes(1000)), long.MaxValue, CancellationToken.None);
        var refused = await store.Store.PutAsync(new MemoryStream(RandomNumberGenerator.GetBytes(2000)), long.MaxValue, CancellationToken.None);

        await store.Store.DeleteAsync(refused.Key, CancellationToken.None);
        await store.Store.DeleteAsync(new string('0', 64), CancellationToken.None);
        await store.Store.DeleteAsync("../../etc/passwd", CancellationToken.None);

        Assert.Null(await store.Store.OpenReadAsync(refused.Key, CancellationToken.None));
        await using var read = await store.Store.OpenReadAsync(kept.Key, CancellationToken.None);
        Assert.NotNull(read);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task The_retention_sweep_deletes_only_content_stored_before_the_cutoff(string kind)
    {
        await using var store = await OpenAsync(kind);
        var kept = await store.Store.PutAsync(new MemoryStream("kept"u8.ToArray()), 100, CancellationToken.None);

        Assert.Equal(0, await store.Store.DeleteStoredBeforeAsync(DateTimeOffset.UtcNow.AddHours(-1), CancellationToken.None));
        Assert.NotNull(await store.Store.OpenReadAsync(kept.Key, CancellationToken.None));

        Assert.Equal(1, await store.Store.DeleteStoredBeforeAsync(DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None));
        Assert.Null(await store.Store.OpenReadAsync(kept.Key, CancellationToken.None));

        // Stored again after the sweep: back, whole.
        var back = await store.Store.PutAsync(new MemoryStream("kept"u8.ToArray()), 100, CancellationToken.None);
        await using var read = await store.Store.OpenReadAsync(back.Key, CancellationToken.None);
        using var copy = new MemoryStream();
        await read!.CopyToAsync(copy);
        Assert.Equal("kept"u8.ToArray(), copy.ToArray());
    }

    private static async Task<OpenStore> OpenAsync(string kind)
    {
        if (kind == "file-system")
        {
            var directory = Directory.CreateTempSubdirectory("crm-attachments-");
            return new OpenStore(new FileSystemAttachmentStore(Options.Create(new AttachmentOptions { Directory = directory.FullName })), null, directory);
        }

        var handle = await TicketStores.CreateAsync(kind);
        return new OpenStore(handle.Services!.GetRequiredKeyedService<IAttachmentStore>(AttachmentOptions.DatabaseStoreKey), handle, null);
    }

    private sealed class OpenStore(IAttachmentStore store, StoreHandle? handle, DirectoryInfo? directory) : IAsyncDisposable
    {
        public IAttachmentStore Store { get; } = store;

        public async ValueTask DisposeAsync()
        {
            if (handle is not null)
            {
                await handle.DisposeAsync();
            }

            directory?.Delete(recursive: true);
        }
    }
}

public sealed class AttachmentRetentionTests
{
    [Fact]
    public async Task The_sweep_deletes_what_is_older_than_the_retention_and_nothing_without_one()
    {
        var directory = Directory.CreateTempSubdirectory("crm-retention-");
        try
        {
            var store = new FileSystemAttachmentStore(Options.Create(new AttachmentOptions { Directory = directory.FullName }));
            var old = await store.PutAsync(new MemoryStream("old"u8.ToArray()), 100, CancellationToken.None);
            var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
            var keepForever = new AttachmentRetention(store, Options.Create(new AttachmentOptions()), time, Microsoft.Extensions.Logging.Abstractions.NullLogger<AttachmentRetention>.Instance);
            var keepOneDay = new AttachmentRetention(store, Options.Create(new AttachmentOptions { Retention = TimeSpan.FromDays(1) }), time, Microsoft.Extensions.Logging.Abstractions.NullLogger<AttachmentRetention>.Instance);

            time.Advance(TimeSpan.FromHours(12));
            Assert.Equal(0, await keepOneDay.SweepAsync(CancellationToken.None));
            time.Advance(TimeSpan.FromDays(2));
            Assert.Equal(0, await keepForever.SweepAsync(CancellationToken.None));
            Assert.NotNull(await store.OpenReadAsync(old.Key, CancellationToken.None));
            Assert.Equal(1, await keepOneDay.SweepAsync(CancellationToken.None));
            Assert.Null(await store.OpenReadAsync(old.Key, CancellationToken.None));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
