using Microsoft.Extensions.Options;
using MimeKit;

namespace Crm.Campaigns.Sending;

/// <summary>
/// Writes each message as an <c>.eml</c> file in a folder instead of sending it: the sample host's default
/// when no SMTP server is configured, so demos can open what would have been sent. A file appears whole
/// (written aside, then renamed) so readers never see half a message; a write that fails or is cancelled removes
/// its partial file, and partial files a crashed process left behind are removed when the sender starts.
/// </summary>
public sealed class PickupDirectoryCampaignSender : ICampaignSender, ICampaignTransportProbe
{
    /// <summary>Partial files older than this are abandoned (no write takes that long) and are removed at start.</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromHours(1);

    private readonly string _directory;
    private readonly TimeProvider _time;

    /// <summary>Creates the sender and removes abandoned partial files.</summary>
    public PickupDirectoryCampaignSender(IOptions<PickupDirectoryOptions> options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _directory = Path.GetFullPath(options.Value.Directory);
        _time = time ?? TimeProvider.System;
        RemoveAbandonedPartials();
    }

    /// <inheritdoc />
    public int Concurrency => Math.Max(2, Environment.ProcessorCount);

    /// <summary>The folder the files go to.</summary>
    public string Directory => _directory;

    string ICampaignTransportProbe.Destination => $"the pickup folder {_directory}";

    /// <summary>Writes and removes a file in the folder: the health check's probe.</summary>
    async Task ICampaignTransportProbe.ProbeAsync(CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(_directory);
        var probe = Path.Combine(_directory, $".health-{Guid.NewGuid():N}.tmp");
        await File.WriteAllBytesAsync(probe, [], cancellationToken).ConfigureAwait(false);
        File.Delete(probe);
    }

    /// <inheritdoc />
    public async Task SendAsync(MimeMessage message, MailboxAddress? envelopeFrom, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (envelopeFrom is not null)
        {
            // What the receiving server would have written: where a bounce of this message goes.
            message.Headers.Remove(HeaderId.ReturnPath);
            message.Headers.Insert(0, new Header(HeaderId.ReturnPath, $"<{envelopeFrom.Address}>"));
        }

        System.IO.Directory.CreateDirectory(_directory);
        var name = $"{_time.GetUtcNow():yyyyMMddHHmmssfff}-{Guid.NewGuid():N}.eml";
        var partial = Path.Combine(_directory, "." + name + ".tmp");
        var moved = false;
        try
        {
            await using (var stream = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
            {
                await message.WriteToAsync(stream, cancellationToken).ConfigureAwait(false);
            }

            File.Move(partial, Path.Combine(_directory, name));
            moved = true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CampaignSendException($"Could not write to {_directory}: {ex.Message}", isPermanent: false, innerException: ex);
        }
        finally
        {
            if (!moved)
            {
                TryDelete(partial);
            }
        }
    }

    private void RemoveAbandonedPartials()
    {
        if (!System.IO.Directory.Exists(_directory))
        {
            return;
        }

        var cutoff = _time.GetUtcNow().UtcDateTime - AbandonedAfter;
        foreach (var file in System.IO.Directory.EnumerateFiles(_directory, ".*.eml.tmp"))
        {
            if (File.GetLastWriteTimeUtc(file) < cutoff)
            {
                TryDelete(file);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Another process removed or holds it; the next start tries again.
        }
    }
}
