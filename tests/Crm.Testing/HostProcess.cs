using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Crm.Testing;

/// <summary>
/// The sample host started as a real child process on a loopback port, the way a user runs it, with its own SQLite
/// file. Settings are passed on the command line (<c>--Key=Value</c>). Without a port it binds port 0 and reports the
/// port the system gave it, so no other process can take the port between choosing and binding it.
/// </summary>
public sealed partial class HostProcess : IAsyncDisposable
{
    private readonly OwnedProcess _process;
    private readonly StringBuilder _output = new();
    private readonly bool _ownsDataDirectory;
    private bool _disposed;

    private HostProcess(OwnedProcess process, string dataDirectory, bool ownsDataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
    }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The folder holding this host's database and outbox.</summary>
    public string DataDirectory { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _disposed || _process.HasExited;

    /// <summary>What the host printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Waits until what the host printed satisfies <paramref name="condition"/> (its log reaches this process through a
    /// pipe, a little after the effect is visible), or <paramref name="timeout"/> passes; callers assert on <see cref="Output"/> after.
    /// </summary>
    public async Task WaitForOutputAsync(Func<string, bool> condition, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = Stopwatch.StartNew();
        while (!condition(Output) && deadline.Elapsed < timeout)
        {
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until the host printed <paramref name="text"/>, or <paramref name="timeout"/> passes.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout)
        => WaitForOutputAsync(output => output.Contains(text, StringComparison.Ordinal), timeout);

    public HttpClient CreateClient(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.UserAgent.ParseAdd(MailClient.UserAgent);
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    /// <summary>
    /// Starts a host and waits until <c>/health/live</c> answers 200 (readiness may wait on outside servers a test holds). A host on a given <paramref name="port"/> (a restart on
    /// the port of one just killed) retries while the port is still held. The data directory is deleted on dispose
    /// when this call created it.
    /// </summary>
    public static async Task<HostProcess> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, string? dataDirectory = null, int? port = null, string environment = "Production")
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(settings, dataDirectory, port, environment);
            }
            catch (PortUnavailableException ex) when (ex.AddressInUse && attempt < 20)
            {
                await Task.Delay(250);
            }
        }
    }

    private static async Task<HostProcess> StartOnceAsync(IReadOnlyDictionary<string, string?>? settings, string? dataDirectory, int? port, string environment)
    {
        var ownsDataDirectory = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("crm-host-").FullName;
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["ConnectionStrings:Crm"] = $"Data Source={Path.Combine(dataDirectory, "crm.db")}",
            ["Crm:Smtp:PickupDirectory"] = Path.Combine(dataDirectory, "outbox"),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Crm"] = "Information",
            // "Now listening on: …" tells which port the system gave a host started on port 0.
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Crm.WebHost.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port ?? 0}");
        start.ArgumentList.Add("--contentRoot");
        start.ArgumentList.Add(RepositoryPaths.WebHostProject);
        foreach (var (key, value) in all)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["DOTNET_NOLOGO"] = "1";

        var host = new HostProcess(OwnedProcess.Start(start), dataDirectory, ownsDataDirectory);
        host._process.Process.OutputDataReceived += (_, e) => host.Append(e.Data);
        host._process.Process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        host._process.Process.BeginOutputReadLine();
        host._process.Process.BeginErrorReadLine();
        try
        {
            await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the process without letting it clean up (<c>kill -9</c>); the data directory stays.</summary>
    public async Task KillAsync()
    {
        if (!_disposed)
        {
            await _process.KillAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await _process.DisposeAsync();
        _disposed = true;
        if (_ownsDataDirectory)
        {
            TryDeleteDirectory(DataDirectory);
        }
    }

    /// <summary>A port free now; prefer letting a server bind port 0, since another process may take this one first.</summary>
    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Deletes a test's temp folder, tolerating files a dying process still holds.</summary>
    public static void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (BaseAddress is null)
        {
            if (ListeningOn().Match(Output) is { Success: true } listening)
            {
                BaseAddress = new Uri(listening.Groups[1].Value);
                break;
            }

            await ThrowIfExitedAsync();
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"The host did not start listening within {timeout}:\n{Output}");
            }

            await Task.Delay(50);
        }

        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        while (deadline.Elapsed < timeout)
        {
            await ThrowIfExitedAsync();
            try
            {
                using var response = await client.GetAsync("/health/live");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but slow to answer the first request.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The host did not become healthy within {timeout}:\n{Output}");
    }

    private async Task ThrowIfExitedAsync()
    {
        if (_process.HasExited)
        {
            // Let the output readers drain before quoting it.
            await _process.Process.WaitForExitAsync();
            var output = Output;
            throw new PortUnavailableException($"The host exited with code {_process.Process.ExitCode}:\n{output}", output.Contains("address already in use", StringComparison.OrdinalIgnoreCase));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
