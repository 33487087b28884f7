using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Benchmarks.Micro;

namespace Crm.Benchmarks.Harness;

/// <summary>
/// <c>send --defaults</c>: what an operator gets. The sample host, built in Release, starts as a fresh process with its
/// default settings (SQLite file, every Crm option at its default) — only its SMTP server is pointed at a local
/// <c>smtp-sink</c> and a manager API key added — and the campaign goes through its own HTTP API: contacts imported,
/// the ~8 KB personalised campaign created, timed from its <c>createdAt</c> to its <c>completedAt</c>. In the same
/// run, on the same sink, <c>smtp-source -d -s 20</c> sends as many messages of the same size. Median of the runs.
/// </summary>
internal static class DefaultsHarness
{
    private const string ManagerKey = "defaults-harness-manager-key";

    /// <summary>The size on the wire of this template's messages (text and HTML, quoted-printable), as the in-process harness measures it.</summary>
    private const int MessageBytes = 16_758;

    /// <summary>From when a run's rate counts as warm: a fresh process's JIT and GC settle in its first seconds.</summary>
    private static readonly TimeSpan WarmAfter = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(int recipients, int runs, bool timeline)
    {
        var (sinkExecutable, sourceExecutable) = await ExternalTools.EnsurePostfixToolsAsync();
        var root = ExternalTools.RepositoryRoot;
        await ExternalTools.RunAsync("dotnet", ["build", "-c", "Release", Path.Combine(root, "samples", "WebHost"), "-v", "q", "-nologo"], TimeSpan.FromMinutes(10));
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {recipients} recipients, {runs} runs, sample host at default settings");
        Console.WriteLine($"| run | Crm (host API, defaults) msg/s | smtp-source msg/s | ratio | Crm msg/s after the first {WarmAfter.TotalSeconds:0} s | ratio after the first {WarmAfter.TotalSeconds:0} s | peak working set |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        var ratios = new List<(double Ratio, double Crm, double Source, long Peak, double? WarmRatio)>();
        for (var run = 1; run <= runs; run++)
        {
            var port = ExternalTools.FreePort();
            using var sink = ExternalTools.StartSink(sinkExecutable, port);
            try
            {
                await ExternalTools.WaitForPortAsync(port);
                var (rate, peak, messageBytes, progress) = await RunHostAsync(root, port, recipients);
                var sourceElapsed = await ExternalTools.RunAsync(sourceExecutable,
                    ["-d", "-s", "20", "-m", recipients.ToString(CultureInfo.InvariantCulture), "-l", messageBytes.ToString(CultureInfo.InvariantCulture),
                     "-f", "news@shop.example", "-t", "someone@example.com", $"127.0.0.1:{port}"], TimeSpan.FromMinutes(30));
                var sourceRate = recipients / sourceElapsed.TotalSeconds;
                var warm = WarmRate(progress);
                ratios.Add((rate / sourceRate, rate, sourceRate, peak, warm / sourceRate));
                Console.WriteLine($"| {run} | {rate:F0} | {sourceRate:F0} | {rate / sourceRate:F2} | {(warm is { } w ? $"{w:F0}" : "—")} | {(warm is { } r ? $"{r / sourceRate:F2}" : "—")} | {peak / (1024 * 1024)} MiB |");
                if (timeline)
                {
                    PrintTimeline(progress);
                }
            }
            finally
            {
                sink.Kill(entireProcessTree: true);
            }
        }

        var median = ratios.OrderBy(r => r.Ratio).ElementAt(ratios.Count / 2);
        Console.WriteLine($"Median: {median.Crm:F0} msg/s vs smtp-source {median.Source:F0} msg/s = {median.Ratio:F2} × smtp-source (peak working set {median.Peak / (1024 * 1024)} MiB)");
        var warmRatios = ratios.Where(r => r.WarmRatio is not null).Select(r => r.WarmRatio!.Value).Order().ToList();
        if (warmRatios.Count > 0)
        {
            Console.WriteLine($"Median after the first {WarmAfter.TotalSeconds:0} s of the fresh process: {warmRatios[warmRatios.Count / 2]:F2} × smtp-source");
        }
        return 0;
    }

    /// <summary>The rate from <see cref="WarmAfter"/> until the end, or null when the run was over sooner.</summary>
    private static double? WarmRate(IReadOnlyList<(TimeSpan At, int Sent)> progress)
    {
        var from = progress.FirstOrDefault(p => p.At >= WarmAfter);
        var last = progress[^1];
        return from == default || last.At - from.At < TimeSpan.FromSeconds(1) ? null : (last.Sent - from.Sent) / (last.At - from.At).TotalSeconds;
    }

    /// <summary>Messages per second in each second of the run, as the campaign's counters said.</summary>
    private static void PrintTimeline(IReadOnlyList<(TimeSpan At, int Sent)> progress)
    {
        var previous = (At: TimeSpan.Zero, Sent: 0);
        foreach (var point in progress)
        {
            if (point.At - previous.At >= TimeSpan.FromSeconds(1) || point == progress[^1])
            {
                Console.WriteLine($"  {point.At.TotalSeconds,5:F1} s  {point.Sent,8:N0} sent  {(point.Sent - previous.Sent) / (point.At - previous.At).TotalSeconds,7:N0} msg/s");
                previous = point;
            }
        }
    }

    private static async Task<(double Rate, long PeakWorkingSet, int MessageBytes, IReadOnlyList<(TimeSpan At, int Sent)> Progress)> RunHostAsync(string root, int smtpPort, int recipients)
    {
        var data = Directory.CreateTempSubdirectory("crm-bench-defaults-");
        var httpPort = ExternalTools.FreePort();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = data.FullName };
        foreach (var argument in (string[])[
            Path.Combine(root, "samples", "WebHost", "bin", "Release", "net10.0", "Crm.WebHost.dll"),
            "--contentRoot", Path.Combine(root, "samples", "WebHost"),
            "--urls", $"http://127.0.0.1:{httpPort}",
            $"--ConnectionStrings:Crm=Data Source={Path.Combine(data.FullName, "crm.db")}",
            "--Crm:Smtp:Host=127.0.0.1", $"--Crm:Smtp:Port={smtpPort}", "--Crm:Smtp:Security=None",
            $"--Crm:ApiKeys:{ManagerKey}=Manager",
            "--Logging:LogLevel:Default=Warning"])
        {
            start.ArgumentList.Add(argument);
        }

        using var host = Process.Start(start) ?? throw new InvalidOperationException("The sample host did not start.");
        host.OutputDataReceived += (_, _) => { };
        host.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("host: " + e.Data); };
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        long peak = 0;
        using var sampler = new Timer(_ =>
        {
            try
            {
                host.Refresh();
                peak = Math.Max(peak, host.PeakWorkingSet64);
            }
            catch (InvalidOperationException)
            {
                // Exited.
            }
        }, null, 0, 200);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
            client.DefaultRequestHeaders.Add("X-Api-Key", ManagerKey);
            await WaitForHealthAsync(client);
            foreach (var chunk in Enumerable.Range(0, recipients).Chunk(5000))
            {
                using var imported = await client.PostAsJsonAsync("/contacts", chunk.Select(i => new { email = $"user{i}@bench.example", name = $"User {i}" }));
                imported.EnsureSuccessStatusCode();
            }

            using var created = await client.PostAsJsonAsync("/bulk-email", new { subject = "Autumn news for {{ contact.name }}", body = BenchmarkData.CampaignBody });
            created.EnsureSuccessStatusCode();
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            var clock = Stopwatch.StartNew();
            var progress = new List<(TimeSpan At, int Sent)>();
            while (true)
            {
                var campaign = await client.GetFromJsonAsync<JsonElement>($"/bulk-email/{id}");
                progress.Add((clock.Elapsed, campaign.GetProperty("sent").GetInt32()));
                if (campaign.GetProperty("status").GetString() == "completed")
                {
                    var elapsed = campaign.GetProperty("completedAt").GetDateTimeOffset() - campaign.GetProperty("createdAt").GetDateTimeOffset();
                    return (campaign.GetProperty("sent").GetInt32() / elapsed.TotalSeconds, peak, MessageBytes, progress);
                }

                await Task.Delay(100);
            }
        }
        finally
        {
            host.Kill(entireProcessTree: true);
            await host.WaitForExitAsync();
            data.Delete(recursive: true);
        }
    }

    private static async Task WaitForHealthAsync(HttpClient client)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                using var health = await client.GetAsync("/health");
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The sample host did not become healthy.");
    }
}
