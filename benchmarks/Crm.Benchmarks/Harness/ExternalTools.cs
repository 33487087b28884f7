using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Crm.Benchmarks.Harness;

/// <summary>Finds or installs Postfix's smtp-sink and smtp-source, and runs them.</summary>
internal static class ExternalTools
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static async Task<(string Sink, string Source)> EnsurePostfixToolsAsync()
    {
        var sink = Find("smtp-sink");
        var source = Find("smtp-source");
        if (sink is null || source is null)
        {
            Console.WriteLine("smtp-sink/smtp-source not found: running .ci/install-deps.sh");
            await RunAsync("bash", [Path.Combine(RepositoryRoot, ".ci", "install-deps.sh")], TimeSpan.FromMinutes(15));
            sink = Find("smtp-sink") ?? throw new InvalidOperationException("smtp-sink is still missing after install-deps.sh");
            source = Find("smtp-source") ?? throw new InvalidOperationException("smtp-source is still missing after install-deps.sh");
        }

        return (sink, source);
    }

    public static Process StartSink(string executable, int port)
    {
        var start = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (Environment.UserName == "root")
        {
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add("nobody");
        }

        start.ArgumentList.Add($"127.0.0.1:{port}");
        start.ArgumentList.Add("1024");
        return Process.Start(start) ?? throw new InvalidOperationException("smtp-sink did not start");
    }

    public static async Task WaitForPortAsync(int port)
    {
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"Nothing listens on port {port}.");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<TimeSpan> RunAsync(string executable, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException(executable + " did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        watch.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{executable} exited with {process.ExitCode}: {await stderr}{await stdout}");
        }

        return watch.Elapsed;
    }

    private static string? Find(string name)
    {
        foreach (var directory in new[] { "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin" })
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Crm.Libraries.sln")))
            {
                return directory.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
