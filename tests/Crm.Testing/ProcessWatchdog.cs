using System.Diagnostics;

namespace Crm.Testing;

/// <summary>
/// Kills the process groups of a test host's servers once that host is gone, however it ended. A small shell loop in a
/// session of its own (so a signal to the test host's group does not take it along) waits for the host's process id to
/// disappear, then kills every group listed in a file the host keeps current, and removes the file.
/// </summary>
public sealed class ProcessWatchdog
{
    internal const string Setsid = "/usr/bin/setsid";

    private const string Script = """
        parent=$1; list=$2
        while kill -0 "$parent" 2>/dev/null; do sleep 0.5; done
        if [ -f "$list" ]; then
          while read -r group; do [ -n "$group" ] && kill -KILL "-$group" 2>/dev/null; done < "$list"
          rm -f "$list"
        fi
        """;

    private static readonly Lazy<ProcessWatchdog> Current = new(() => Watch(Environment.ProcessId));

    private readonly Lock _gate = new();
    private readonly HashSet<int> _groups = [];

    private ProcessWatchdog(string listPath, Process? watcher)
    {
        ListPath = listPath;
        Watcher = watcher;
    }

    /// <summary>The watchdog of this test host, started on first use.</summary>
    public static ProcessWatchdog ForThisProcess => Current.Value;

    /// <summary>The file naming the groups to kill, one process group id per line.</summary>
    public string ListPath { get; }

    /// <summary>The watching shell (null where there is no <c>setsid</c>: then only the exit handler cleans up).</summary>
    public Process? Watcher { get; }

    /// <summary>Starts a watchdog for <paramref name="parentProcessId"/> (the tests use it on a stand-in parent).</summary>
    public static ProcessWatchdog Watch(int parentProcessId)
    {
        var list = Path.Combine(Path.GetTempPath(), $"crm-test-groups-{parentProcessId}-{Guid.NewGuid():N}.txt");
        if (!File.Exists(Setsid))
        {
            return new ProcessWatchdog(list, null);
        }

        var start = new ProcessStartInfo(Setsid)
        {
            UseShellExecute = false,
            // Its own pipes, none of the runner's: a runner waiting on its output's end is not kept waiting by it.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["sh", "-c", Script, "crm-test-watchdog", parentProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), list])
        {
            start.ArgumentList.Add(argument);
        }

        return new ProcessWatchdog(list, Process.Start(start));
    }

    /// <summary>Adds a process group (the id of a process started through <c>setsid</c>) to kill when the parent is gone.</summary>
    public void Guard(int processGroup)
    {
        lock (_gate)
        {
            _groups.Add(processGroup);
            Save();
        }
    }

    /// <summary>Takes a group off the list once its process was killed here, so a reused id is never killed later.</summary>
    public void Release(int processGroup)
    {
        lock (_gate)
        {
            if (_groups.Remove(processGroup))
            {
                Save();
            }
        }
    }

    private void Save()
    {
        var temporary = ListPath + ".tmp";
        File.WriteAllLines(temporary, _groups.Select(g => g.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        File.Move(temporary, ListPath, overwrite: true);
    }
}
