using System.Collections.Concurrent;
using System.Diagnostics;

namespace Crm.Testing;

/// <summary>
/// A child process the tests started and own: disposing kills it with its whole process tree (Dovecot's workers, the
/// host's children), and every process still alive when the test run's process exits is killed too, so a failed setup
/// or a crashed test never leaves a server behind. A test host that is killed outright (<c>kill -9</c>, the runner's
/// hang timeout) runs no exit handler: for that, each owned process starts in a process group of its own and a
/// watchdog (<see cref="ProcessWatchdog"/>) kills those groups once the test host is gone.
/// </summary>
public sealed class OwnedProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Alive = new();

    static OwnedProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Alive.Values)
            {
                TryKill(process);
            }
        };
    }

    private OwnedProcess(Process process)
    {
        Process = process;
        Alive[process.Id] = process;
    }

    public Process Process { get; }

    public int Id => Process.Id;

    public bool HasExited => Process.HasExited;

    /// <summary>Starts a process the caller owns.</summary>
    public static OwnedProcess Start(ProcessStartInfo start)
    {
        ArgumentNullException.ThrowIfNull(start);
        InOwnProcessGroup(start);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        ProcessWatchdog.ForThisProcess.Guard(process.Id);
        return new OwnedProcess(process);
    }

    /// <summary>Kills the process and its children (SIGKILL) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        TryKill(Process);
        try
        {
            await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        Alive.TryRemove(Process.Id, out _);
        ProcessWatchdog.ForThisProcess.Release(Process.Id);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Process.Dispose();
    }

    private static void TryKill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Exited meanwhile.
        }
    }

    /// <summary>
    /// Runs the command through <c>setsid</c>: it keeps its process id (setsid execs in place, as the test host's
    /// child leads no group) and leads a new process group, which the watchdog can kill with everything it started.
    /// </summary>
    private static void InOwnProcessGroup(ProcessStartInfo start)
    {
        if (!File.Exists(ProcessWatchdog.Setsid))
        {
            return;
        }

        if (string.IsNullOrEmpty(start.Arguments))
        {
            start.ArgumentList.Insert(0, start.FileName);
        }
        else
        {
            start.Arguments = "\"" + start.FileName.Replace("\"", "\\\"", StringComparison.Ordinal) + "\" " + start.Arguments;
        }

        start.FileName = ProcessWatchdog.Setsid;
    }
}
