using System.Diagnostics;
using System.Net.Sockets;

namespace Crm.Testing;

/// <summary>
/// Postfix's <c>smtp-sink</c> on a loopback port, writing every received message to its own file
/// (<c>-d</c>), so tests assert on what a real SMTP server accepted. Can be stopped and started again on
/// the same port to play a server outage.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private OwnedProcess? _process;
    private bool _restarting;

    private SmtpSink(int port, string directory)
    {
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    /// <summary>Where the message files land.</summary>
    public string Directory { get; }

    public static string Executable => File.Exists("/usr/sbin/smtp-sink") ? "/usr/sbin/smtp-sink" : "smtp-sink";

    public static async Task<SmtpSink> StartAsync(int? port = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("crm-sink-").FullName;
        // smtp-sink drops root privileges to "nobody", which must be able to write the dumps.
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("smtp-sink runs on Linux.");
        }

        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        if (port is { } fixedPort)
        {
            var sink = new SmtpSink(fixedPort, directory);
            await sink.StartAsync();
            return sink;
        }

        return await LoopbackPort.StartOnFreePortAsync(async free =>
        {
            var sink = new SmtpSink(free, directory);
            await sink.StartAsync();
            return sink;
        });
    }

    /// <summary>Starts (again) on the same port and folder, waiting out a port still held by the previous run.</summary>
    public async Task StartAsync()
    {
        await LoopbackPort.RestartOnSamePortAsync(StartOnceAsync, waitForRelease: _restarting);
    }

    private async Task StartOnceAsync()
    {
        var start = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        if (Environment.UserName == "root")
        {
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add("nobody");
        }

        start.ArgumentList.Add("-d");
        start.ArgumentList.Add(Path.Combine(Directory, "msg."));
        start.ArgumentList.Add($"127.0.0.1:{Port}");
        start.ArgumentList.Add("256");
        _process = OwnedProcess.Start(start);
        await LoopbackPort.WaitForListenerAsync(Port, _process, "smtp-sink", TimeSpan.FromSeconds(10));
    }

    /// <summary>Stops the server (connections drop, the port refuses).</summary>
    public async Task StopAsync()
    {
        _restarting = true;
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>
    /// The dump files so far. smtp-sink creates a file at MAIL FROM, so a transfer cut short by an outage leaves one too:
    /// count these to watch progress, and use <see cref="SinkMessage.LoadAll"/> (complete messages only) to assert.
    /// </summary>
    public IReadOnlyList<string> MessageFiles() => System.IO.Directory.GetFiles(Directory, "msg.*");

    /// <summary>Waits until at least <paramref name="count"/> messages arrived.</summary>
    public async Task WaitForMessagesAsync(int count, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (MessageFiles().Count < count)
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Expected {count} messages in the sink, got {MessageFiles().Count}.");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A message still being written; the temp folder is cleaned by the OS.
        }
    }
}
