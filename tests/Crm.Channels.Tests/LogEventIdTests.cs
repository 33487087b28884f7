using System.Text.RegularExpressions;
using Crm.Testing;

namespace Crm.Channels.Tests;

/// <summary>
/// Every log event of the product has its own id, so an operator can alert on one without catching another. The
/// registry is the source itself: each package keeps to its thousands (1xxx–2xxx Crm.Channels, 3xxx Crm.Campaigns, 5xxx Crm.Core,
/// 4xxx the storage packages), and this test fails on a duplicate anywhere.
/// </summary>
public sealed partial class LogEventIdTests
{
    [Fact]
    public void No_two_log_messages_share_an_event_id()
    {
        var ids = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(file => EventId().Matches(File.ReadAllText(file)).Select(m => (Id: int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), File: Path.GetFileName(file))))
            .ToList();

        var duplicates = ids.GroupBy(i => i.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(i => i.File))}").ToList();

        Assert.True(ids.Count > 50, "the scan found no log messages");
        Assert.True(duplicates.Count == 0, "Event ids used twice: " + string.Join("; ", duplicates));
    }

    [GeneratedRegex(@"\[LoggerMessage\(EventId = (\d+)")]
    private static partial Regex EventId();
}
