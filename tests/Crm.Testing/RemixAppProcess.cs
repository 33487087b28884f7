using System.Diagnostics;
using System.Text;

namespace Crm.Testing;

/// <summary>
/// The React Router sample (<c>samples/RemixApp</c>) as its README runs it: the production build served by
/// react-router-serve on a loopback port, configured by environment variables, talking to a .NET host. It must have
/// been built first (<c>npm ci &amp;&amp; npm run build</c>; ./test.sh does).
/// </summary>
public sealed class RemixAppProcess : IAsyncDisposable
{
    private readonly OwnedProcess _process;
    private readonly StringBuilder _output = new();

    private RemixAppProcess(OwnedProcess process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public static string Directory => Path.Combine(RepositoryPaths.Root, "samples", "RemixApp");

    public Uri BaseAddress { get; }

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

    public static Task<RemixAppProcess> StartAsync(IReadOnlyDictionary<string, string> environment)
        => LoopbackPort.StartOnFreePortAsync(port => StartOnceAsync(port, environment));

    private static async Task<RemixAppProcess> StartOnceAsync(int port, IReadOnlyDictionary<string, string> environment)
    {
        var server = Path.Combine(Directory, "build", "server", "index.js");
        var serve = Path.Combine(Directory, "node_modules", "@react-router", "serve", "bin.js");
        if (!File.Exists(server) || !File.Exists(serve))
        {
            throw new InvalidOperationException($"{Directory} is not built: run `npm ci && npm run build` there (./test.sh does).");
        }

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        start.ArgumentList.Add(serve);
        start.ArgumentList.Add(server);
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["HOST"] = "127.0.0.1";
        start.Environment["NODE_ENV"] = "production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var app = new RemixAppProcess(OwnedProcess.Start(start), new Uri($"http://127.0.0.1:{port}"));
        app._process.Process.OutputDataReceived += (_, e) => app.Append(e.Data);
        app._process.Process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        app._process.Process.BeginOutputReadLine();
        app._process.Process.BeginErrorReadLine();
        try
        {
            await LoopbackPort.WaitForListenerAsync(port, app._process, "the React Router app", TimeSpan.FromSeconds(60), () => Task.FromResult(app.Output));
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
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

    public async ValueTask DisposeAsync() => await _process.KillAsync();
}
