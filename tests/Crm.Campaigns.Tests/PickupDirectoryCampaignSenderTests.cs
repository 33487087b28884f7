using Crm.Campaigns.Sending;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Crm.Campaigns.Tests;

public sealed class PickupDirectoryCampaignSenderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("crm-pickup-").FullName;

    [Fact]
    public void Without_arguments_the_pickup_folder_is_outbox_in_the_current_directory()
    {
        var services = new ServiceCollection();
        services.AddBulkEmail(o => o.FromAddress = "news@shop.example").UsePickupDirectory().UseInMemoryStores();
        using var provider = services.BuildServiceProvider();

        var sender = Assert.IsType<PickupDirectoryCampaignSender>(provider.GetRequiredService<ICampaignSender>());

        Assert.Equal(Path.GetFullPath("outbox"), sender.Directory);
    }

    [Fact]
    public void Partial_files_a_crashed_process_left_are_removed_at_start_and_fresh_ones_are_kept()
    {
        var abandoned = Path.Combine(_directory, ".20261101000000000-old.eml.tmp");
        var inProgress = Path.Combine(_directory, ".20261126000000000-new.eml.tmp");
        var delivered = Path.Combine(_directory, "20261101000000000-done.eml");
        foreach (var file in new[] { abandoned, inProgress, delivered })
        {
            File.WriteAllText(file, "x");
        }

        File.SetLastWriteTimeUtc(abandoned, DateTime.UtcNow.AddHours(-2));
        File.SetLastWriteTimeUtc(delivered, DateTime.UtcNow.AddHours(-2));

        _ = new PickupDirectoryCampaignSender(Options.Create(new PickupDirectoryOptions { Directory = _directory }));

        Assert.False(File.Exists(abandoned));
        Assert.True(File.Exists(inProgress));
        Assert.True(File.Exists(delivered));
    }

    [Fact]
    public async Task A_cancelled_write_leaves_no_partial_file()
    {
        var sender = new PickupDirectoryCampaignSender(Options.Create(new PickupDirectoryOptions { Directory = _directory }));
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("a@shop.example"));
        message.To.Add(MailboxAddress.Parse("b@example.com"));
        message.Body = new TextPart("plain") { Text = new string('x', 1_000_000) };
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sender.SendAsync(message, null, cancelled.Token));

        Assert.Empty(Directory.GetFiles(_directory));
        await sender.SendAsync(message, null, CancellationToken.None);
        Assert.Single(Directory.GetFiles(_directory, "*.eml"));
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
