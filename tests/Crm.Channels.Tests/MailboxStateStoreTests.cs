using Crm.Channels.Email;

namespace Crm.Channels.Tests;

public sealed class MailboxStateStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(TicketStores.All), MemberType = typeof(TicketStores))]
    public async Task Quarantined_mail_is_kept_listed_newest_first_read_back_whole_and_removed_once(string kind)
    {
        await using var handle = await TicketStores.CreateAsync(kind);
        var state = handle.MailboxState;

        var first = await state.QuarantineAsync(new QuarantinedEmail("webhook", null, "The message names no sender address.", 120, Now) { Subject = "Hello", RawKey = new string('a', 64) }, CancellationToken.None);
        var second = await state.QuarantineAsync(new QuarantinedEmail("imap://u@h:143/INBOX", 7, new string('r', 1000), 9_000_000, Now.AddMinutes(1)) { Sender = "Ann <ann@example.com>" }, CancellationToken.None);

        Assert.True(second > first);
        Assert.Equal([second, first], (await state.ListQuarantineAsync(10, CancellationToken.None)).Select(q => q.Id));
        var read = await state.GetQuarantinedAsync(first, CancellationToken.None);
        Assert.Equal(("webhook", (uint?)null, "Hello", new string('a', 64), (string?)null, 120L, Now), (read!.Source, read.Uid, read.Subject, read.RawKey, read.Sender, read.Size, read.QuarantinedAt));
        var clipped = await state.GetQuarantinedAsync(second, CancellationToken.None);
        Assert.Equal((7u, "Ann <ann@example.com>", (string?)null), (clipped!.Uid, clipped.Sender, clipped.RawKey));
        Assert.StartsWith("rrrr", clipped.Reason, StringComparison.Ordinal);

        Assert.True(await state.RemoveQuarantinedAsync(first, CancellationToken.None));
        Assert.False(await state.RemoveQuarantinedAsync(first, CancellationToken.None));
        Assert.Null(await state.GetQuarantinedAsync(first, CancellationToken.None));
        Assert.Equal([second], (await state.ListQuarantineAsync(10, CancellationToken.None)).Select(q => q.Id));
    }
}
