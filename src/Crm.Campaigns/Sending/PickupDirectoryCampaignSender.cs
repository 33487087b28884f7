using Microsoft.Extensions.Options;
using MimeKit;

namespace Crm.Campaigns.Sending;

/// <summary>
/// Writes each message as an <c>.eml</c> file in a folder instead of sending it: the sample host's default
/// when no SMTP server is configured, so demos can open what would have been sent. A file appears whole
/// (written aside, then renamed) so readers never see half a message.
/// </summary>
public sealed class PickupDirectoryCampaignSender : ICampaignSender
{
    private readonly string _directory;

    /// <summary>Creates the sender.</summary>
    public PickupDirectoryCampaignSender(IOptions<PickupDirectoryOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _directory = Path.GetFullPath(options.Value.Directory);
    }

    /// <summary>The folder the files go to.</summary>
    public string Directory => _directory;

    /// <inheritdoc />
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        System.IO.Directory.CreateDirectory(_directory);
        var name = $"{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}.eml";
        var partial = Path.Combine(_directory, "." + name + ".tmp");
        try
        {
            await using (var stream = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
            {
                await message.WriteToAsync(stream, cancellationToken).ConfigureAwait(false);
            }

            File.Move(partial, Path.Combine(_directory, name));
        }
        catch (IOException ex)
        {
            File.Delete(partial);
            throw new CampaignSendException($"Could not write to {_directory}: {ex.Message}", isPermanent: false, innerException: ex);
        }
    }
}
